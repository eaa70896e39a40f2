import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter } from '../../src/alerts/backoff.ts';
import { nextOpening } from '../../src/alerts/business-hours.ts';
import { matchRoutes } from '../../src/alerts/routing.ts';
import { parseFileConfig } from '../../src/config.ts';

describe('backoff', () => {
  it('grows exponentially up to the cap, with jitter between half the base and the ceiling', () => {
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffMs(20, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffMs(4, 1000, 60_000, () => 0)).toBe(500);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('quiet hours', () => {
  const cal = { name: 'ldn', timezone: 'Europe/London', hours: { mon: ['09:00-17:00'], tue: ['09:00-17:00'] }, holidays: ['2026-01-06'] };
  it('finds the next opening in the calendar zone, skipping holidays and closed days', () => {
    // Monday 2026-01-05 18:00 London: next is Tuesday... a holiday, so Monday 2026-01-12 09:00.
    expect(nextOpening(cal, new Date('2026-01-05T18:00:00Z'))?.toISOString()).toBe('2026-01-12T09:00:00.000Z');
    // Monday 08:00: opens at 09:00 the same day.
    expect(nextOpening(cal, new Date('2026-01-05T08:00:00Z'))?.toISOString()).toBe('2026-01-05T09:00:00.000Z');
    const open = new Date('2026-01-05T10:00:00Z');
    expect(nextOpening(cal, open)).toBe(open);
  });
});

describe('route matching', () => {
  const file = parseFileConfig(
    {
      teams: [{ name: 'care' }, { name: 'billing' }],
      routes: [
        { name: 'care-critical', match: { teams: ['care'], minSeverity: 'critical' }, channels: ['console'] },
        { name: 'acme-breach', match: { handles: ['@AcmeHelp'], kinds: ['sla_breach'] }, channels: ['console'] },
      ],
    },
    {},
  );
  it('matches on team, handle (case-insensitive), kind and minimum severity', () => {
    const names = (a: Parameters<typeof matchRoutes>[1]) => matchRoutes(file.routes, a).map((r) => r.name);
    expect(names({ kind: 'sla_breach', severity: 'critical', team: 'care', handle: 'acmehelp' })).toEqual(['care-critical', 'acme-breach']);
    expect(names({ kind: 'sla_breach', severity: 'warning', team: 'care', handle: 'Other' })).toEqual([]);
    expect(names({ kind: 'unanswered', severity: 'critical', team: 'billing', handle: 'AcmeHelp' })).toEqual([]);
  });
});
