/**
 * What the CLI needs from its surroundings, passed in so tests can run `main()` in
 * memory: a working directory and three streams. `process` satisfies it.
 */
export interface TextSink {
  write(chunk: string): unknown;
  /** A terminal: colour is on unless NO_COLOR says otherwise. */
  readonly isTTY?: boolean;
}

export interface CliIO {
  cwd: string;
  stdout: TextSink;
  stderr: TextSink;
  stdin: AsyncIterable<string | Uint8Array>;
  /** Environment variables (NO_COLOR, FORCE_COLOR, TERM); absent in tests means none. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Read a whole stream as UTF-8 text (for `--diff -` and `--stdin-filename`). */
export async function readAllText(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
