/**
 * Turns findings into inline review comments: where each one may sit in the diff,
 * the one-click suggestion that replaces exactly the lines it names, and the body a
 * reviewer reads (message, one line of why, guidance link, hidden fingerprint).
 * Pure functions: nothing here talks to GitHub.
 */
import { applyEdits, type DiffFile, type Finding, type RuleMeta, type TextEdit } from '../lint/index.js';
import { hunkIndexOf } from '../diff/filter.js';

/** A comment in the shape `POST /pulls/{n}/reviews` takes in `comments[]`. */
export interface ReviewComment {
  path: string;
  body: string;
  line: number;
  side: 'RIGHT';
  start_line?: number;
  start_side?: 'RIGHT';
}

export interface Suggestion {
  startLine: number;
  endLine: number;
  /** The new text of lines startLine..endLine, without a final newline. */
  replacement: string;
}

const FINGERPRINT_MARKER = /<!-- threadlint:fp=([A-Za-z0-9:._\-+/=]+) -->/;

/** The hidden marker that lets a later push recognise a comment it already made. */
export function fingerprintMarker(fingerprint: string): string {
  // Keep only characters that cannot close the HTML comment or break the markdown.
  return `<!-- threadlint:fp=${fingerprint.replace(/[^A-Za-z0-9:._\-+/=]/g, '_')} -->`;
}

export function extractFingerprint(body: string): string | undefined {
  return FINGERPRINT_MARKER.exec(body)?.[1];
}

/** The fingerprint as it reads back from a comment body (see `fingerprintMarker`). */
export function normalizeFingerprint(fingerprint: string): string {
  return extractFingerprint(fingerprintMarker(fingerprint)) ?? fingerprint;
}

/** A fence longer than any run of backticks inside, so the content cannot close it. */
export function suggestionFence(content: string): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** Lines start..end (1-based, inclusive) must lie on the new side, inside one hunk. */
export function isValidAnchor(diff: DiffFile, startLine: number, endLine: number): boolean {
  if (startLine < 1 || endLine < startLine) return false;
  const first = hunkIndexOf(diff, startLine);
  return first >= 0 && hunkIndexOf(diff, endLine) === first;
}

/**
 * The whole lines a fix touches and their new text. GitHub replaces exactly the
 * commented lines with the suggestion, so the replacement is built for whole lines:
 * the original lines with the edits applied, positions shifted onto that excerpt.
 * `mustInclude` widens the range (the finding's own line) so the comment points at it.
 */
export function buildSuggestion(content: string, edits: readonly TextEdit[], mustInclude?: number): Suggestion | undefined {
  if (edits.length === 0) return undefined;
  const lines = content.replace(/^\uFEFF/, '').split('\n');
  let startLine = Math.min(...edits.map((e) => e.startLine));
  let endLine = Math.max(...edits.map((e) => (e.endColumn === 1 && e.endLine > e.startLine ? e.endLine - 1 : e.endLine)));
  if (mustInclude !== undefined) {
    startLine = Math.min(startLine, mustInclude);
    endLine = Math.max(endLine, mustInclude);
  }
  if (startLine < 1 || endLine > lines.length) return undefined;
  // The excerpt keeps its final newline only when an edit reaches into the next line.
  const reachesPast = edits.some((e) => e.endLine > endLine);
  if (reachesPast && endLine + 1 > lines.length) return undefined;
  const excerpt = lines.slice(startLine - 1, endLine).join('\n') + (reachesPast ? '\n' : '');
  const shifted = edits.map((e) => ({ ...e, startLine: e.startLine - startLine + 1, endLine: e.endLine - startLine + 1 }));
  let replacement: string;
  try {
    replacement = applyEdits(excerpt, shifted);
  } catch {
    return undefined;
  }
  if (reachesPast && replacement !== '') {
    // The lines and their final newline became `replacement`; without a final newline
    // it would join the next line, which a suggestion cannot express.
    if (!replacement.endsWith('\n')) return undefined;
    replacement = replacement.slice(0, -1);
  }
  return { startLine, endLine, replacement };
}

export interface CommentBodyInput {
  finding: Finding;
  meta?: RuleMeta;
  suggestion?: Suggestion;
  fixDescription?: string;
}

/** Message, one line of why, the suggestion, the guidance link and the hidden fingerprint. */
export function commentBody({ finding, meta, suggestion, fixDescription }: CommentBodyInput): string {
  const name = meta ? ` ${meta.name}` : '';
  const parts = [`**${finding.ruleId}**${name} (${finding.severity}): ${finding.message}`];
  if (meta?.why) parts.push(`_Why:_ ${meta.why}`);
  if (suggestion) {
    const fence = suggestionFence(suggestion.replacement);
    const text = suggestion.replacement === '' ? '' : `${suggestion.replacement}\n`;
    const title = fixDescription ? `Suggested fix: ${fixDescription}\n` : '';
    parts.push(`${title}${fence}suggestion\n${text}${fence}`);
  }
  parts.push(`[${finding.ruleId} guidance](${finding.helpUri || meta?.helpUri || ''})`);
  parts.push(fingerprintMarker(finding.fingerprint));
  return parts.join('\n\n');
}

export interface CommentFileInfo {
  /** Absent when GitHub sent the file without a patch: no inline comment possible. */
  diff?: DiffFile;
  /** Head content decoded as text; absent when it could not be decoded. */
  text?: string;
}

export interface CommentOptions {
  suggestions: boolean;
  ruleMeta: (id: string) => RuleMeta | undefined;
}

/**
 * Where the comment for one finding goes and what it says, or undefined when the
 * finding's lines are not in the diff (then it lives in the check run only).
 * A suggestion is offered only for a safe fix whose lines all sit in the same hunk.
 */
export function commentFor(finding: Finding, file: CommentFileInfo, options: CommentOptions): ReviewComment | undefined {
  const { diff } = file;
  if (!diff) return undefined;
  const meta = options.ruleMeta(finding.ruleId);
  if (options.suggestions && finding.fix?.safe && file.text !== undefined) {
    const suggestion = buildSuggestion(file.text, finding.fix.edits, finding.line);
    if (suggestion && isValidAnchor(diff, suggestion.startLine, suggestion.endLine)) {
      const body = commentBody({ finding, meta, suggestion, fixDescription: finding.fix.description });
      return anchored(finding.path, suggestion.startLine, suggestion.endLine, body);
    }
  }
  const body = commentBody({ finding, meta });
  const candidates: [number, number][] = [
    [finding.line, finding.endLine],
    [finding.line, finding.line],
    [finding.statementLine, finding.statementLine],
  ];
  const range = candidates.find(([start, end]) => isValidAnchor(diff, start, end));
  return range ? anchored(finding.path, range[0], range[1], body) : undefined;
}

function anchored(path: string, startLine: number, endLine: number, body: string): ReviewComment {
  return startLine === endLine
    ? { path, body, line: endLine, side: 'RIGHT' }
    : { path, body, start_line: startLine, start_side: 'RIGHT', line: endLine, side: 'RIGHT' };
}

export interface CommentPlan {
  comments: ReviewComment[];
  /** Findings that got an inline comment, in the order of `comments`. */
  commented: Finding[];
  /** Already commented on an earlier push (same fingerprint). */
  alreadyCommented: Finding[];
  /** In the diff, but past `max_comments`. */
  overflow: Finding[];
  /** Not on diff lines, or in a file without a patch. */
  outsideDiff: Finding[];
}

const SEVERITY_ORDER = { error: 0, warning: 1, notice: 2 } as const;

/** Most severe first, then by file and line, so `max_comments` keeps what matters most. */
export function byImportance(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column
  );
}

/** Choose the inline comments of one review: new findings on diff lines, at most `maxComments`. */
export function planComments(
  findings: readonly Finding[],
  files: ReadonlyMap<string, CommentFileInfo>,
  previousFingerprints: ReadonlySet<string>,
  options: CommentOptions & { maxComments: number },
): CommentPlan {
  const plan: CommentPlan = { comments: [], commented: [], alreadyCommented: [], overflow: [], outsideDiff: [] };
  for (const finding of [...findings].sort(byImportance)) {
    const comment = commentFor(finding, files.get(finding.path) ?? {}, options);
    if (!comment) plan.outsideDiff.push(finding);
    else if (previousFingerprints.has(normalizeFingerprint(finding.fingerprint))) plan.alreadyCommented.push(finding);
    else if (plan.comments.length >= options.maxComments) plan.overflow.push(finding);
    else {
      plan.comments.push(comment);
      plan.commented.push(finding);
    }
  }
  return plan;
}
