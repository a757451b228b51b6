/**
 * The app's log: JSON lines (pino), one field set per delivery. Nothing from a payload,
 * a request body or a header reaches it: Probot's request logging passes each request's
 * body as fields (a review's comments quote the repository's source), so those fields
 * are dropped and only the message ("GitHub request: POST … - 201") is kept; known
 * carriers of bodies and tokens are redacted as a second line of defence.
 */
import { pino, type LoggerOptions } from 'pino';
import type { Logger } from 'probot';

const REDACTED = [
  'payload',
  '*.payload',
  'body',
  '*.body',
  'request',
  '*.request',
  'response',
  '*.response',
  'headers',
  '*.headers',
  'token',
  '*.token',
  'comments',
  'annotations',
];

export function loggerOptions(level: string, format: 'json' | 'pretty' = 'json'): LoggerOptions {
  return {
    level,
    name: 'threadlint',
    messageKey: 'msg',
    redact: { paths: REDACTED, censor: '[redacted]' },
    hooks: {
      logMethod(args, method) {
        const second = (args as unknown[])[1];
        if (typeof second === 'string' && second.startsWith('GitHub request:')) return method.call(this, second);
        return method.apply(this, args as Parameters<typeof method>);
      },
    },
    ...(format === 'pretty' ? { transport: { target: 'pino-pretty' } } : {}),
  };
}

export function createLogger(level: string, format: 'json' | 'pretty' = 'json', destination?: NodeJS.WritableStream): Logger {
  const options = loggerOptions(level, format);
  return (destination ? pino(options, destination) : pino(options)) as unknown as Logger;
}
