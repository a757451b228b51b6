/** The worker thread's entry: one file job per task (see pool.ts). */
import { runFileJob, type FileJob } from './file-job.js';
import type { FileAnalysis } from '../engine/file.js';

export default function run(job: FileJob): Promise<FileAnalysis> {
  return runFileJob(job);
}
