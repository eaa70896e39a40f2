// Owns the digest window arithmetic shared by the channel gate (at send) and the burst check (at raise).
import type { Config } from '../config.ts';

export type DigestSettings = Pick<Config['delivery'], 'digestWindowSeconds' | 'digestThresholdPerMinute'>;

/** The digest window `now` falls in: windows are fixed slices of `digestWindowSeconds` from the epoch. */
export function digestWindow(now: Date, s: DigestSettings): { start: Date; end: Date } {
  const ms = s.digestWindowSeconds * 1000;
  const start = Math.floor(now.getTime() / ms) * ms;
  return { start: new Date(start), end: new Date(start + ms) };
}
