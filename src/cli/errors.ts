/** Exit codes of DESIGN.md "Command line". */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/**
 * A problem the user has to fix before anything can be analysed (bad flag value,
 * missing path, failing git, unwritable output). `main` prints it and exits 2.
 * `lines` are printed as they are; otherwise the message is prefixed with
 * `threadlint: error: `.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly lines?: string[],
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
