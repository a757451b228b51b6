/**
 * Writing to stdout and stderr without ever crashing on them. A reader that goes away
 * (`threadlint check | head -1`: EPIPE) ends the output quietly and leaves the exit code
 * as the run decided; any other write error (a full disk: ENOSPC, `> /dev/full`) is
 * named once on stderr and makes the run exit 2, since the report was lost.
 */
import type { TextSink } from './io.js';

export interface WritableLike {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  readonly destroyed?: boolean;
  readonly isTTY?: boolean;
}

export interface GuardedSink extends TextSink {
  readonly isTTY?: boolean;
  /** The write error other than a closed reader, if one happened. */
  readonly failure: NodeJS.ErrnoException | undefined;
  /** Resolves when everything written so far has been flushed, or the stream failed. */
  flushed(): Promise<void>;
}

/** Errors that mean "nobody reads any more": quiet. */
const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET']);

export function guardSink(stream: WritableLike): GuardedSink {
  let closed = false;
  let failure: NodeJS.ErrnoException | undefined;
  const stop = (error: NodeJS.ErrnoException) => {
    closed = true;
    if (!READER_GONE.has(error.code ?? '') && !failure) failure = error;
  };
  stream.on('error', stop);
  return {
    isTTY: stream.isTTY,
    get failure() {
      return failure;
    },
    write(chunk: string) {
      if (closed || stream.destroyed || chunk === '') return;
      try {
        stream.write(chunk);
      } catch (error) {
        stop(error as NodeJS.ErrnoException);
      }
    },
    flushed() {
      if (closed || stream.destroyed) return Promise.resolve();
      return new Promise((resolve) => {
        try {
          stream.write('', () => resolve());
        } catch {
          resolve();
        }
      });
    },
  };
}

/** `no space left on device (ENOSPC)`: the system's words without Node's prefix. */
export function describeWriteError(error: NodeJS.ErrnoException): string {
  const text = error.message.replace(/^[A-Z]+: /, '').replace(/, write$/, '');
  return error.code && !text.includes(error.code) ? `${text} (${error.code})` : text;
}
