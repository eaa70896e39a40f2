// Owns the pino logger: one per process, with secrets redacted.
import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths that may hold tokens, webhook URLs or secrets; pino replaces their values. */
export const REDACT_PATHS = [
  'token',
  'bearerToken',
  'secret',
  'url',
  'webhookUrl',
  'authorization',
  'password',
  '*.token',
  '*.bearerToken',
  '*.secret',
  '*.url',
  '*.webhookUrl',
  '*.password',
  'req.headers.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'config',
];

export function createLogger(level = 'info', stream?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'replywatch' } }, stream);
}
