// Owns planning when a handle is polled next: its share of the rate limits, its activity, and the monthly read budget. Pure.

/** App (bearer) requests per 15-minute window, from X's published tables; the headers replace them once seen. */
export const DEFAULT_LIMITS: Record<string, number> = {
  'users/:id/mentions': 450,
  'users/:id/tweets': 10_000,
  'tweets/search/recent': 450,
};
export const WINDOW_SECONDS = 900;

export interface KnownLimit {
  limit: number;
  remaining: number;
  resetAt: Date;
}

export interface PlanInput {
  now: Date;
  minSeconds: number;
  maxSeconds: number;
  /** The endpoints one poll of this handle calls (once each, when nothing new has arrived). */
  endpoints: string[];
  limits: Map<string, KnownLimit>;
  /** This handle's activity (new tweets per poll, averaged) and every polled handle's, itself included. */
  activity: number;
  allActivity: number[];
  monthlyReadBudget?: number;
  monthReads: number;
}

export interface Plan {
  nextRunAt: Date;
  /** What decided the interval, for logs. */
  reason: 'rate_share' | 'min_interval' | 'max_interval' | 'rate_reset' | 'budget_pace' | 'budget_exhausted';
  /** Share of the month's read budget used so far (0..); undefined without a budget. */
  budgetUsed?: number;
}

export function startOfNextMonth(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/** Fraction of the current UTC month elapsed at `now`. */
export function monthElapsed(now: Date): number {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  return (now.getTime() - start) / (startOfNextMonth(now).getTime() - start);
}

/**
 * Busy handles get a bigger share of each endpoint's window (weight 1 + activity), every handle is
 * polled at least every `maxSeconds`, an exhausted limit waits for its reset, and a read pace that
 * would overrun the monthly budget stretches the interval.
 */
export function planNextPoll(p: PlanInput): Plan {
  const weight = 1 + Math.max(0, p.activity);
  const total = p.allActivity.reduce((s, a) => s + 1 + Math.max(0, a), 0) || weight;
  const share = weight / Math.max(total, weight);
  let seconds = p.minSeconds;
  let reason: Plan['reason'] = 'min_interval';
  let notBefore = 0;
  for (const endpoint of p.endpoints) {
    const known = p.limits.get(endpoint);
    const limit = known?.limit ?? DEFAULT_LIMITS[endpoint] ?? 450;
    const steady = WINDOW_SECONDS / (limit * share);
    let needed = steady;
    if (known && known.resetAt.getTime() > p.now.getTime()) {
      const left = (known.resetAt.getTime() - p.now.getTime()) / 1000;
      if (known.remaining <= 0) notBefore = Math.max(notBefore, known.resetAt.getTime() + 1000);
      else needed = Math.max(steady, left / (known.remaining * share));
    }
    if (needed > seconds) {
      seconds = needed;
      reason = 'rate_share';
    }
  }

  let budgetUsed: number | undefined;
  if (p.monthlyReadBudget) {
    budgetUsed = p.monthReads / p.monthlyReadBudget;
    if (budgetUsed >= 1) return { nextRunAt: startOfNextMonth(p.now), reason: 'budget_exhausted', budgetUsed };
    // Reads arrive with the tweets, not the polls; polling less often spends the rest of the month's budget more slowly
    // (fewer pages while the backlog is capped), so stretch by how far the pace runs ahead of the calendar.
    const pace = budgetUsed / Math.max(monthElapsed(p.now), 1e-6);
    if (pace > 1 && seconds * pace > seconds) {
      seconds *= pace;
      reason = 'budget_pace';
    }
  }

  if (seconds > p.maxSeconds) {
    seconds = p.maxSeconds;
    reason = 'max_interval';
  }
  let at = p.now.getTime() + seconds * 1000;
  if (notBefore > at) {
    at = notBefore;
    reason = 'rate_reset';
  }
  return { nextRunAt: new Date(at), reason, budgetUsed };
}
