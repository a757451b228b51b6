/**
 * Reads unified diffs — `git diff`, `git format-patch`, plain `diff -u` — into DiffFile
 * records, and GitHub's hunks-only `patch` strings with the same line bookkeeping.
 * Hunk bodies are read by their header counts, never by guessing, so a removed line
 * that reads `-- x` or a `-- ` mail signature is never taken for a file header.
 */
import type { DiffFile, Hunk } from '../engine/types.js';
import { detectPrefixes, headerLineName, readName, splitNamePair, stripPrefix } from './paths.js';

/** A diff that cannot be read; `line` is 1-based within the text given to the parser. */
export class DiffParseError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(`diff line ${line}: ${reason}`);
    this.name = 'DiffParseError';
  }
}

const DEV_NULL = '/dev/null';
const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
const BINARY_FILES = /^Binary files (.+) differ$/;

/** What one file's section says, before names and status are settled. */
interface Section {
  /** Names from `diff --git` or `Binary files`, still prefixed. */
  header?: [string, string];
  /** Names from `---` / `+++`, still prefixed. */
  minus?: string;
  plus?: string;
  from?: string;
  to?: string;
  kind: 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';
  binary: boolean;
  /** Still reading git's extended header lines (before `---` or the first hunk). */
  inHeader: boolean;
  line: number;
  hunks: Hunk[];
  addedLines: Set<number>;
  contextLines: Set<number>;
}

function newSection(line: number, inHeader: boolean): Section {
  const [hunks, addedLines, contextLines] = [[], new Set<number>(), new Set<number>()];
  return { kind: 'modified', binary: false, inHeader, line, hunks, addedLines, contextLines };
}

/** Lines without their terminators; CRLF diffs and CRLF file contents read alike. */
function splitLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function nameOrThrow(name: string | undefined, text: string, line: number): string {
  if (name === undefined) throw new DiffParseError(`badly quoted file name in "${text}"`, line);
  return name;
}

/** Read one hunk starting at its `@@` header; returns the index of the line after it. */
function readHunk(lines: string[], start: number, into: Section): number {
  const m = HUNK_HEADER.exec(lines[start]);
  if (!m) throw new DiffParseError(`malformed hunk header "${lines[start]}"`, start + 1);
  const hunk: Hunk = {
    oldStart: Number(m[1]),
    oldLines: m[2] === undefined ? 1 : Number(m[2]),
    newStart: Number(m[3]),
    newLines: m[4] === undefined ? 1 : Number(m[4]),
  };
  into.hunks.push(hunk);
  let [oldLeft, newLeft, newLine] = [hunk.oldLines, hunk.newLines, hunk.newStart];
  let i = start + 1;
  for (; oldLeft > 0 || newLeft > 0; i++) {
    const line = lines[i];
    const kind = line === undefined ? 'end' : line === '' ? ' ' : line[0];
    if (kind === ' ' && oldLeft > 0 && newLeft > 0) {
      into.contextLines.add(newLine++);
      oldLeft--;
      newLeft--;
    } else if (kind === '-' && oldLeft > 0) {
      oldLeft--;
    } else if (kind === '+' && newLeft > 0) {
      into.addedLines.add(newLine++);
      newLeft--;
    } else if (kind !== '\\') {
      throw new DiffParseError(
        `hunk at line ${start + 1} ends early: ${oldLeft} old and ${newLeft} new line(s) still expected`,
        i + 1,
      );
    }
  }
  while (lines[i]?.startsWith('\\')) i++; // "\ No newline at end of file" after the last line
  return i;
}

/** Git's extended header lines: modes, renames, copies, binary markers. */
function readExtendedHeader(section: Section, line: string, lineNo: number): void {
  const named = /^(rename|copy) (from|to) (.*)$/.exec(line);
  if (named) {
    section.kind = named[1] === 'rename' ? 'renamed' : 'copied';
    section[named[2] as 'from' | 'to'] = nameOrThrow(readName(named[3]), line, lineNo);
  } else if (line.startsWith('new file mode ')) {
    section.kind = 'added';
  } else if (line.startsWith('deleted file mode ')) {
    section.kind = 'deleted';
  } else if (line === 'GIT binary patch' || BINARY_FILES.test(line)) {
    section.binary = true;
  }
}

/** Settle names and status: rename/copy lines are exact, other names lose their prefix. */
function toDiffFile(s: Section): DiffFile {
  const prefixes =
    (s.header && detectPrefixes(...s.header)) ??
    (s.minus && s.plus ? detectPrefixes(s.minus, s.plus) : undefined) ??
    ['a/', 'b/'];
  const oldRaw = s.minus ?? s.header?.[0];
  const newRaw = s.plus ?? s.header?.[1];
  let oldPath = s.from ?? (oldRaw === undefined || oldRaw === DEV_NULL ? null : stripPrefix(oldRaw, prefixes[0]));
  let newPath = s.to ?? (newRaw === undefined || newRaw === DEV_NULL ? null : stripPrefix(newRaw, prefixes[1]));
  let status: DiffFile['status'];
  if (s.kind === 'added' || oldRaw === DEV_NULL) [status, oldPath] = ['added', null];
  else if (s.kind === 'deleted' || newRaw === DEV_NULL) [status, newPath] = ['deleted', null];
  // A copy's new file is new to the tree; oldPath keeps its source for reference.
  else if (s.kind === 'copied') status = 'added';
  else status = oldPath !== newPath ? 'renamed' : 'modified';
  if (oldPath === null && newPath === null) throw new DiffParseError('cannot tell which file this diff is about', s.line);
  const { binary, hunks, addedLines, contextLines } = s;
  return { oldPath, newPath, status, binary, hunks, addedLines, contextLines };
}

/**
 * Parse `git diff` / `git format-patch` / `diff -u` output. Text before the first file
 * header (mail headers, commit message, diffstat) and lines between files (`Only in`,
 * `diff -r`, mail signature) are skipped. Throws DiffParseError on a corrupt hunk.
 */
export function parseUnifiedDiff(text: string): DiffFile[] {
  const lines = splitLines(text);
  const files: DiffFile[] = [];
  let section: Section | undefined;
  const finish = (): void => {
    if (section) files.push(toDiffFile(section));
    section = undefined;
  };
  for (let i = 0; i < lines.length; ) {
    const line = lines[i];
    const lineNo = i + 1;
    if (line.startsWith('diff --git ')) {
      finish();
      section = newSection(lineNo, true);
      section.header = splitNamePair(line.slice('diff --git '.length), ' ');
      i++;
    } else if (/^diff --(cc|combined) /.test(line)) {
      throw new DiffParseError('combined diffs of merge commits are not supported; diff against one parent', lineNo);
    } else if (
      line.startsWith('--- ') &&
      lines[i + 1]?.startsWith('+++ ') &&
      (section?.inHeader || lines[i + 2]?.startsWith('@@ '))
    ) {
      if (!section?.inHeader) {
        finish();
        section = newSection(lineNo, false);
      }
      section.minus = nameOrThrow(headerLineName(line.slice(4)), line, lineNo);
      section.plus = nameOrThrow(headerLineName(lines[i + 1].slice(4)), lines[i + 1], lineNo + 1);
      section.inHeader = false;
      i += 2;
    } else if (line.startsWith('@@ ')) {
      if (!section) throw new DiffParseError('hunk without a file header (---/+++ or diff --git) before it', lineNo);
      section.inHeader = false;
      i = readHunk(lines, i, section);
    } else {
      if (section?.inHeader) {
        readExtendedHeader(section, line, lineNo);
      } else {
        const binary = BINARY_FILES.exec(line); // `diff -r` reports binary files alone
        if (binary) {
          finish();
          section = newSection(lineNo, false);
          section.header = splitNamePair(binary[1], ' and ');
          section.binary = true;
        }
      }
      i++;
    }
  }
  finish();
  return files;
}

/**
 * Parse one file's `patch` as GitHub's "list pull request files" API gives it: hunks
 * only, no headers. `status` defaults to renamed when previousPath differs, else
 * modified. An empty patch (binary file, pure rename) gives a file without hunks.
 */
export function parsePatch(
  patch: string,
  path: string,
  previousPath?: string,
  status?: DiffFile['status'],
): DiffFile {
  const lines = splitLines(patch);
  const section = newSection(1, false);
  for (let i = 0; i < lines.length; ) {
    if (lines[i].startsWith('@@ ')) i = readHunk(lines, i, section);
    else if (lines[i].trim() === '') i++;
    else throw new DiffParseError(`${path}: expected a hunk header (@@), got "${lines[i]}"`, i + 1);
  }
  const finalStatus = status ?? (previousPath !== undefined && previousPath !== path ? 'renamed' : 'modified');
  const { hunks, addedLines, contextLines } = section;
  return {
    oldPath: finalStatus === 'added' ? null : (previousPath ?? path),
    newPath: finalStatus === 'deleted' ? null : path,
    status: finalStatus,
    binary: false,
    hunks,
    addedLines,
    contextLines,
  };
}
