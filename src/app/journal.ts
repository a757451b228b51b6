/**
 * Without Redis, the jobs this process accepted and has not finished, one small JSON
 * file each in the state folder (`THREADLINT_STATE_DIR`, default `./.threadlint-state`).
 * A file is written whole (temporary name, then rename) before the webhook is
 * answered and removed when the job is done, so a process that dies leaves exactly
 * its unfinished jobs for the next start.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJobData, type ReviewJobData } from './jobs.js';

export interface JournalEntry {
  data: ReviewJobData;
  /** Attempts that failed so far. */
  failedAttempts: number;
}

export class Journal {
  constructor(readonly dir: string) {}

  /** Creates the folder and proves it is writable; the error names the folder. */
  async open(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      const probe = join(this.dir, `.probe-${process.pid}`);
      await writeFile(probe, '');
      await rm(probe);
    } catch (error) {
      throw new Error(`THREADLINT_STATE_DIR ${this.dir} is not a writable folder: ${(error as Error).message}`);
    }
  }

  private fileOf(key: string): string {
    return join(this.dir, `job-${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }

  async put(entry: JournalEntry): Promise<void> {
    const file = this.fileOf(entry.data.key);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(entry));
    await rename(temporary, file);
  }

  async remove(key: string): Promise<void> {
    await rm(this.fileOf(key), { force: true });
  }

  /** Every entry left, oldest accepted first; unreadable files are reported and set aside. */
  async list(onDamaged: (file: string, why: string) => void = () => undefined): Promise<JournalEntry[]> {
    const entries: JournalEntry[] = [];
    for (const name of await readdir(this.dir)) {
      if (!/^job-[0-9a-f]+\.json$/.test(name)) continue;
      const file = join(this.dir, name);
      try {
        const parsed = JSON.parse(await readFile(file, 'utf8')) as { data?: unknown; failedAttempts?: unknown };
        const data = parseJobData(parsed.data);
        if (!data) throw new Error('not a review job');
        entries.push({ data, failedAttempts: Number.isInteger(parsed.failedAttempts) ? (parsed.failedAttempts as number) : 0 });
      } catch (error) {
        onDamaged(name, (error as Error).message);
        await rename(file, `${file}.damaged`).catch(() => undefined);
      }
    }
    return entries.sort((a, b) => a.data.acceptedAt - b.data.acceptedAt);
  }
}
