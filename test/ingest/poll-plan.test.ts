import { describe, expect, it } from 'vitest';
import { planNextPoll, startOfNextMonth, type PlanInput } from '../../src/ingest/poll-plan.ts';

const now = new Date('2026-11-16T00:00:00Z'); // half of November gone
const base: PlanInput = {
  now,
  minSeconds: 15,
  maxSeconds: 300,
  endpoints: ['users/:id/mentions', 'users/:id/tweets'],
  limits: new Map(),
  activity: 0,
  allActivity: [0],
  monthReads: 0,
};
const secs = (p: { nextRunAt: Date }) => (p.nextRunAt.getTime() - now.getTime()) / 1000;

describe('planning the next poll', () => {
  it('shares the mentions window among handles and gives busy handles more of it', () => {
    const quiet = Array.from({ length: 60 }, () => 0);
    const alone = planNextPoll({ ...base, allActivity: quiet });
    expect(secs(alone)).toBe(120); // 900 s / (450 / 60 handles)
    const busy = planNextPoll({ ...base, activity: 9, allActivity: [9, ...quiet.slice(1)] });
    expect(secs(busy)).toBeLessThan(secs(alone));
    const idle = planNextPoll({ ...base, activity: 0, allActivity: [0, 9, ...quiet.slice(2)] });
    expect(secs(idle)).toBeGreaterThan(secs(alone));
  });

  it('polls every handle at least every max interval and never faster than the min interval', () => {
    expect(secs(planNextPoll({ ...base, allActivity: Array.from({ length: 1000 }, () => 0) }))).toBe(300);
    expect(secs(planNextPoll(base))).toBe(15);
  });

  it('waits for the reset when an endpoint is spent, and slows down when little is left', () => {
    const resetAt = new Date(now.getTime() + 600_000);
    const spent = planNextPoll({ ...base, limits: new Map([['users/:id/mentions', { limit: 450, remaining: 0, resetAt }]]) });
    expect(spent).toMatchObject({ reason: 'rate_reset', nextRunAt: new Date(resetAt.getTime() + 1000) });
    const low = planNextPoll({ ...base, limits: new Map([['users/:id/mentions', { limit: 450, remaining: 5, resetAt }]]) });
    expect(secs(low)).toBe(120); // 600 s left / 5 requests
  });

  it('stretches intervals when reads run ahead of the month, and stops at the budget', () => {
    const onPace = planNextPoll({ ...base, monthlyReadBudget: 1000, monthReads: 500 });
    expect(secs(onPace)).toBe(15);
    const ahead = planNextPoll({ ...base, monthlyReadBudget: 1000, monthReads: 900 });
    expect(ahead.reason).toBe('budget_pace');
    expect(secs(ahead)).toBeCloseTo(27, 5); // 15 s × (0.9 used / 0.5 elapsed)
    const out = planNextPoll({ ...base, monthlyReadBudget: 1000, monthReads: 1000 });
    expect(out).toMatchObject({ reason: 'budget_exhausted', nextRunAt: startOfNextMonth(now) });
  });
});
