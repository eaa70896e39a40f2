// Due times on wall and business clocks: the hand-built cases whose answers we know.
import { describe, expect, it } from 'vitest';
import { calendarClock, deadlineJobKey, deadlinesToSchedule, isBreached, measureWait, planDeadlines, wallClock } from '../../src/domain/deadlines.ts';
import { policyFromSettings } from '../../src/domain/policy.ts';
import type { Calendar } from '../../src/domain/types.ts';

const london: Calendar = {
  name: 'london',
  timezone: 'Europe/London',
  hours: { mon: ['08:00-22:00'], tue: ['08:00-22:00'], wed: ['08:00-22:00'], thu: ['08:00-22:00'], fri: ['08:00-22:00'], sat: ['08:00-22:00'], sun: ['08:00-22:00'] },
  holidays: ['2026-12-25'],
};
const business = policyFromSettings('biz', { clock: 'business', warnRatios: [0.8, 0.5] });
const wall = policyFromSettings('wall', { clock: 'wall' });
const at = (s: string) => new Date(s);

describe('planDeadlines', () => {
  it('puts warnings at their ratios and the breach at the target on the wall clock', () => {
    const d = planDeadlines(policyFromSettings('w', { clock: 'wall', warnRatios: [0.8, 0.5] }), { metric: 'first_response', seq: 0, startedAt: at('2026-03-02T10:00:00Z'), complaint: false }, wallClock);
    expect(d.map((x) => [x.level, x.dueAt.toISOString()])).toEqual([
      ['warn50', '2026-03-02T10:30:00.000Z'],
      ['warn80', '2026-03-02T10:48:00.000Z'],
      ['breach', '2026-03-02T11:00:00.000Z'],
    ]);
    expect(deadlineJobKey('42', d[2])).toBe('deadline:42:first_response:0:breach');
  });

  it('adds the unanswered horizon for complaints', () => {
    const d = planDeadlines(wall, { metric: 'next_response', seq: 2, startedAt: at('2026-03-02T10:00:00Z'), complaint: true }, wallClock);
    expect(d.at(-1)).toMatchObject({ metric: 'unanswered', seq: 2, level: 'horizon', dueAt: at('2026-03-02T14:00:00Z') });
  });

  it('complaint at 21:50 to a team closing at 22:00, answered 08:10: no business breach, a wall-clock one', () => {
    const clock = calendarClock(london);
    const wait = { metric: 'first_response' as const, seq: 0, startedAt: at('2026-03-03T21:50:00Z'), complaint: true };
    const answered = at('2026-03-04T08:10:00Z');
    const b = measureWait(business, wait, clock, answered);
    expect(b.dueAt.toISOString()).toBe('2026-03-04T08:50:00.000Z');
    expect(b.actualBusinessSeconds).toBe(20 * 60);
    expect(isBreached(b, answered, answered)).toBe(false);
    const w = measureWait(wall, wait, clock, answered);
    expect(isBreached(w, answered, answered)).toBe(true);
    expect(w.overBySeconds).toBe((10 * 60 + 20 - 60) * 60);
  });

  it('skips a holiday', () => {
    const clock = calendarClock(london);
    const d = planDeadlines(business, { metric: 'first_response', seq: 0, startedAt: at('2026-12-24T21:30:00Z'), complaint: false }, clock);
    // 30 minutes on the 24th, none on the 25th, the other 30 on the 26th from 08:00.
    expect(d.find((x) => x.level === 'breach')!.dueAt.toISOString()).toBe('2026-12-26T08:30:00.000Z');
  });

  it('counts a DST night right (London clocks go forward 2026-03-29 01:00 UTC)', () => {
    const night: Calendar = { name: 'night', timezone: 'Europe/London', hours: { sat: ['22:00-06:00'], sun: ['22:00-06:00'] }, holidays: [] };
    const clock = calendarClock(night);
    // Sat 28 Mar 22:00 GMT to Sun 06:00 BST is 7 real hours, not 8.
    expect(clock.between(at('2026-03-28T22:00:00Z'), at('2026-03-29T06:00:00Z'))).toBe(7 * 3600);
    const p = policyFromSettings('night', { clock: 'business', firstResponseMinutes: 420 });
    const due = planDeadlines(p, { metric: 'first_response', seq: 0, startedAt: at('2026-03-28T22:00:00Z'), complaint: false }, clock).find((x) => x.level === 'breach')!;
    expect(due.dueAt.toISOString()).toBe('2026-03-29T05:00:00.000Z');
  });

  it('drops warnings once the breach is due, keeps the breach', () => {
    const d = planDeadlines(wall, { metric: 'first_response', seq: 0, startedAt: at('2026-03-02T10:00:00Z'), complaint: false }, wallClock);
    expect(deadlinesToSchedule(d, at('2026-03-02T10:50:00Z')).map((x) => x.level)).toEqual(['warn80', 'breach']);
    expect(deadlinesToSchedule(d, at('2026-03-02T11:00:00Z')).map((x) => x.level)).toEqual(['breach']);
  });

  it('59 minutes is in time, 61 is a breach by 60 seconds', () => {
    const wait = { metric: 'first_response' as const, seq: 0, startedAt: at('2026-03-02T10:00:00Z'), complaint: false };
    const in59 = measureWait(wall, wait, wallClock, at('2026-03-02T10:59:00Z'));
    const in61 = measureWait(wall, wait, wallClock, at('2026-03-02T11:01:00Z'));
    expect(isBreached(in59, at('2026-03-02T10:59:00Z'), at('2026-03-02T12:00:00Z'))).toBe(false);
    expect(isBreached(in61, at('2026-03-02T11:01:00Z'), at('2026-03-02T12:00:00Z'))).toBe(true);
    expect(in61.overBySeconds).toBe(60);
  });
});
