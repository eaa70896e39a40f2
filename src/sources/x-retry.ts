// Owns retrying X calls that may succeed on a second try (5xx, timeouts, cut-off bodies) with jittered exponential backoff.
import { XApiError } from './x-errors.ts';
import { toXError } from './x-client.ts';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  capMs?: number;
  sleep?: Sleep;
  random?: () => number;
  onRetry?: (err: XApiError, attempt: number, delayMs: number) => void;
}

/** "Full jitter" (AWS architecture blog): a random delay up to the exponential step, so many pollers don't retry in step. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** Runs `fn`, retrying retryable X errors; rate limits, auth and client errors go straight up. */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 4;
  const sleep = opts.sleep ?? realSleep;
  const random = opts.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const xerr = toXError('unknown', err);
      if (!xerr.retryable || attempt + 1 >= attempts) throw xerr;
      const delay = backoffDelay(attempt, opts.baseMs ?? 500, opts.capMs ?? 30_000, random);
      opts.onRetry?.(xerr, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
