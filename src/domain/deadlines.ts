// Owns SLA due times: when each warning, the breach and the unanswered horizon of one customer wait fall due, on the policy's clock.
import type { Calendar, Policy } from './types.ts';
import { addBusinessSeconds, businessSeconds, compileCalendar, type CompiledCalendar } from './calendar.ts';

/**
 * Counts time on a clock: wall time, or business time on a calendar. Built by the caller from
 * src/domain/calendar.ts so this module stays independent of how calendars are evaluated.
 */
export interface WorkClock {
  /** The instant at which `seconds` of this clock's time have passed since `start`. */
  add(start: Date, seconds: number): Date;
  /** Seconds of this clock's time between two instants (0 when `end` is not after `start`). */
  between(start: Date, end: Date): number;
}

export const wallClock: WorkClock = {
  add: (start, seconds) => new Date(start.getTime() + seconds * 1000),
  between: (start, end) => Math.max(0, (end.getTime() - start.getTime()) / 1000),
};

/** Business time on a calendar (compiled once; the compiled calendar caches its days). */
export function calendarClock(calendar: Calendar | CompiledCalendar): WorkClock {
  const cal = 'dayCache' in calendar ? calendar : compileCalendar(calendar);
  return { add: (start, seconds) => addBusinessSeconds(cal, start, seconds), between: (start, end) => businessSeconds(cal, start, end) };
}

/** The calendar of a handle without one: always open, so business time equals wall time. */
export const ALWAYS_OPEN: Calendar = {
  name: 'always',
  timezone: 'UTC',
  hours: { mon: ['00:00-24:00'], tue: ['00:00-24:00'], wed: ['00:00-24:00'], thu: ['00:00-24:00'], fri: ['00:00-24:00'], sat: ['00:00-24:00'], sun: ['00:00-24:00'] },
  holidays: [],
};

export type Metric = 'first_response' | 'next_response';
export type DeadlineMetric = Metric | 'unanswered';

/** One customer wait: from the customer's first unanswered tweet until a brand reply. */
export interface Wait {
  metric: Metric;
  /** 0 for the first response; n for the n-th next response. */
  seq: number;
  startedAt: Date;
  /** True when the case holds a complaint, which arms the unanswered horizon. */
  complaint: boolean;
}

export interface Deadline {
  metric: DeadlineMetric;
  seq: number;
  /** `warn80` (80 % of the target), `breach`, or `horizon` for unanswered. */
  level: string;
  ratio: number;
  targetSeconds: number;
  dueAt: Date;
}

export function targetSeconds(policy: Policy, metric: Metric): number {
  return (metric === 'first_response' ? policy.firstResponseMinutes : policy.nextResponseMinutes) * 60;
}

export function warnLevel(ratio: number): string {
  return `warn${Math.round(ratio * 100)}`;
}

/** The clock a policy measures on: the calendar's business time, or wall time. */
export function policyClock(policy: Policy, business: WorkClock): WorkClock {
  return policy.clock === 'business' ? business : wallClock;
}

/** Every due time of a wait, earliest first: each warning, then the breach, and the unanswered horizon for complaints. */
export function planDeadlines(policy: Policy, wait: Wait, business: WorkClock): Deadline[] {
  const clock = policyClock(policy, business);
  const target = targetSeconds(policy, wait.metric);
  const out: Deadline[] = [];
  for (const ratio of policy.warnRatios) {
    out.push({ metric: wait.metric, seq: wait.seq, level: warnLevel(ratio), ratio, targetSeconds: target, dueAt: clock.add(wait.startedAt, target * ratio) });
  }
  out.push({ metric: wait.metric, seq: wait.seq, level: 'breach', ratio: 1, targetSeconds: target, dueAt: clock.add(wait.startedAt, target) });
  if (wait.complaint) {
    const horizon = policy.unansweredHorizonMinutes * 60;
    out.push({ metric: 'unanswered', seq: wait.seq, level: 'horizon', ratio: 1, targetSeconds: horizon, dueAt: clock.add(wait.startedAt, horizon) });
  }
  return out.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/**
 * The deadlines still worth a job at `now`. A warning whose breach is already due is dropped: the
 * team needs the breach, not a stale "80 % used" after the fact. Past-due breaches stay (they fire at once).
 */
export function deadlinesToSchedule(deadlines: Deadline[], now: Date): Deadline[] {
  const breach = deadlines.find((d) => d.level === 'breach');
  return deadlines.filter((d) => !(d.level.startsWith('warn') && breach && breach.dueAt.getTime() <= now.getTime()));
}

export function deadlineJobKey(caseId: string, d: Pick<Deadline, 'metric' | 'seq' | 'level'>): string {
  return `deadline:${caseId}:${d.metric}:${d.seq}:${d.level}`;
}

export interface BreachMeasure {
  targetSeconds: number;
  dueAt: Date;
  /** Set when the brand has answered. */
  actualSeconds?: number;
  actualBusinessSeconds?: number;
  /** How far past the target, on the policy's clock (0 if answered in time, so not a breach). */
  overBySeconds?: number;
}

/** Measures one wait against its target, answered or still open at `answeredAt` = undefined. */
export function measureWait(policy: Policy, wait: Wait, business: WorkClock, answeredAt?: Date): BreachMeasure {
  const clock = policyClock(policy, business);
  const target = targetSeconds(policy, wait.metric);
  const dueAt = clock.add(wait.startedAt, target);
  if (!answeredAt) return { targetSeconds: target, dueAt };
  const actualSeconds = wallClock.between(wait.startedAt, answeredAt);
  const actualBusinessSeconds = business.between(wait.startedAt, answeredAt);
  const onPolicyClock = policy.clock === 'business' ? actualBusinessSeconds : actualSeconds;
  return { targetSeconds: target, dueAt, actualSeconds, actualBusinessSeconds, overBySeconds: Math.max(0, onPolicyClock - target) };
}

/** A wait answered at `answeredAt` breached when the answer came after the due time. */
export function isBreached(m: BreachMeasure, answeredAt: Date | undefined, now: Date): boolean {
  return answeredAt ? answeredAt.getTime() > m.dueAt.getTime() : now.getTime() >= m.dueAt.getTime();
}
