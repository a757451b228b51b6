/**
 * Whether the report is coloured, decided as Node and most CLIs do: FORCE_COLOR (any value
 * but "0"/"false") turns it on, then NO_COLOR (any non-empty value) turns it off, else a
 * terminal that is not TERM=dumb gets colour. A report written with --output never does.
 */
import picocolors from 'picocolors';
import type { CliIO } from './io.js';

export type Colors = ReturnType<typeof picocolors.createColors>;

export function colorEnabled(io: Pick<CliIO, 'env' | 'stdout'>, toFile: boolean): boolean {
  if (toFile) return false;
  const env = io.env ?? {};
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  return io.stdout.isTTY === true && env.TERM !== 'dumb';
}

export function colors(enabled: boolean): Colors {
  return picocolors.createColors(enabled);
}
