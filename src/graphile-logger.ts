// Owns routing graphile-worker's log lines into our pino logger.
import { Logger as GraphileLogger } from 'graphile-worker';
import type { Logger } from './log.ts';

export function graphileLogger(log: Logger): GraphileLogger {
  const child = log.child({ name: 'jobs' });
  return new GraphileLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...(meta ?? {}) };
    if (level === 'error') child.error(fields, message);
    else if (level === 'warning') child.warn(fields, message);
    else if (level === 'info') child.debug(fields, message);
    else child.trace(fields, message);
  });
}
