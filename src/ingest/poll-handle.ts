// Owns one poll of one handle: lock, resolve the user id, read its timelines, record health, plan the next poll.
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { Logger } from '../log.ts';
import type { XClient } from '../sources/x-client.ts';
import { XApiError } from '../sources/x-errors.ts';
import { withRetry, backoffDelay, type Sleep } from '../sources/x-retry.ts';
import { withAdvisoryLock } from '../db/advisory-lock.ts';
import { getHandle, markPolled, setHealth, setXUserId, STOPPED_HEALTH } from '../db/handle.repository.ts';
import { getFailures, getRateLimits, getReads, listActivity, monthKey, raiseBudgetAlert, recordActivity } from '../db/x-usage.repository.ts';
import { pollTimeline, RateLimitWait, TIMELINE_ENDPOINT, type Timeline } from './poll-timeline.ts';
import { planNextPoll } from './poll-plan.ts';

export interface PollContext {
  db: Db;
  pool: pg.Pool;
  x: XClient;
  config: Config;
  log: Logger;
  clock: () => Date;
  sleep?: Sleep;
  random?: () => number;
}

export type PollStatus = 'ok' | 'locked' | 'inactive' | 'stopped' | 'rate_limited' | 'failed' | 'budget_exhausted';

export interface PollOutcome {
  status: PollStatus;
  /** When to poll again; null stops polling this handle (bad token, unknown user, inactive). */
  nextRunAt: Date | null;
  inserted: number;
  posts: number;
}

export async function pollHandle(ctx: PollContext, handleId: number): Promise<PollOutcome> {
  const held = await withAdvisoryLock(ctx.pool, handleId, () => pollLocked(ctx, handleId));
  // Another process is polling this handle right now and will schedule the next poll itself.
  if (held.locked) return { status: 'locked', nextRunAt: null, inserted: 0, posts: 0 };
  return held.value;
}

async function pollLocked(ctx: PollContext, handleId: number): Promise<PollOutcome> {
  const log = ctx.log.child({ handleId });
  const handle = await getHandle(ctx.db, handleId);
  if (!handle || !handle.active) return { status: 'inactive', nextRunAt: null, inserted: 0, posts: 0 };
  if (STOPPED_HEALTH.includes(handle.health)) return { status: 'stopped', nextRunAt: null, inserted: 0, posts: 0 };
  const now = ctx.clock();
  const timelines: Timeline[] = ctx.config.x.mode === 'search' ? ['search'] : ['mentions', 'tweets'];
  const limits = await getRateLimits(ctx.db);
  let inserted = 0;
  let posts = 0;
  let monthReads = await getReads(ctx.db, now);
  const budget = ctx.config.x.monthlyReadBudget;

  try {
    if (budget && monthReads >= budget) throw new BudgetExhausted();
    let userId = handle.x_user_id;
    if (!userId) {
      const res = await withRetry(() => ctx.x.userByUsername(handle.handle), { sleep: ctx.sleep, random: ctx.random });
      if (!res.body?.data?.id) throw new XApiError('X_NOT_FOUND', `X has no user @${handle.handle}: ${res.body?.errors?.[0]?.detail ?? 'no data'}`);
      userId = res.body.data.id;
      await setXUserId(ctx.db, handleId, userId);
      log.info({ handle: handle.handle, userId }, 'resolved X user id');
    }
    for (const timeline of timelines) {
      const r = await pollTimeline(
        { db: ctx.db, x: ctx.x, log, clock: ctx.clock, sleep: ctx.sleep, random: ctx.random, backfillHours: ctx.config.x.backfillHours, limits },
        timeline,
        { handleId, handle: handle.handle, userId },
      );
      inserted += r.inserted;
      posts += r.posts;
      if (r.monthReads !== undefined) monthReads = r.monthReads;
    }
    await markPolled(ctx.db, handleId, ctx.clock());
    await checkBudget(ctx, monthReads, log);
    const next = await planFor(ctx, handleId, timelines, limits, inserted, monthReads);
    await recordActivity(ctx.db, handleId, inserted, next.nextRunAt, false);
    log.debug({ handle: handle.handle, posts, inserted, nextRunAt: next.nextRunAt, reason: next.reason }, 'polled');
    return { status: next.reason === 'budget_exhausted' ? 'budget_exhausted' : 'ok', nextRunAt: next.nextRunAt, inserted, posts };
  } catch (err) {
    const out = (status: PollStatus, nextRunAt: Date | null): PollOutcome => ({ status, nextRunAt, inserted, posts });
    if (err instanceof RateLimitWait) {
      log.warn({ handle: handle.handle, endpoint: err.endpoint, resetAt: err.resetAt }, 'rate limit spent; waiting for reset');
      await recordActivity(ctx.db, handleId, inserted, err.resetAt, false);
      return out('rate_limited', new Date(err.resetAt.getTime() + 1000));
    }
    if (err instanceof BudgetExhausted) {
      await checkBudget(ctx, monthReads, log);
      await setHealth(ctx.db, handleId, 'budget_exhausted', `monthly read budget of ${budget} posts is used up`);
      const p = await planFor(ctx, handleId, timelines, limits, 0, monthReads);
      return out('budget_exhausted', p.nextRunAt);
    }
    if (!(err instanceof XApiError)) throw err;
    if (err.code === 'X_UNAUTHORIZED' || err.code === 'X_FORBIDDEN' || err.code === 'X_NOT_FOUND') {
      const health = err.code === 'X_UNAUTHORIZED' ? 'unauthorized' : err.code === 'X_FORBIDDEN' ? 'forbidden' : 'not_found';
      await setHealth(ctx.db, handleId, health, err.message);
      log.error({ handle: handle.handle, health, status: err.status }, `polling @${handle.handle} stopped: ${err.message}`);
      return out('stopped', null);
    }
    if (err.code === 'X_USAGE_CAPPED') {
      await setHealth(ctx.db, handleId, 'usage_capped', err.message);
      await raiseBudgetAlert(ctx.db, {
        month: monthKey(now),
        percent: 100,
        severity: 'critical',
        title: 'X read cap reached: polling is paused',
        reasons: ['X answered 429 usage-capped; waiting for the rate-limit reset does not lift it', err.message],
        details: { endpoint: err.opts.endpoint },
      });
      log.error({ handle: handle.handle }, 'X usage cap reached; raise the plan or wait for the billing cycle');
      return out('failed', new Date(now.getTime() + 3600_000));
    }
    // 5xx/timeouts after retries, or a request X rejects: keep the handle alive, back off, show it in health.
    const failures = (await getFailures(ctx.db, handleId)) + 1;
    const delay = Math.max(1000 * ctx.config.x.minIntervalSeconds, backoffDelay(failures, 5000, 1000 * ctx.config.x.maxIntervalSeconds, ctx.random ?? Math.random));
    const nextRunAt = new Date(ctx.clock().getTime() + delay);
    await setHealth(ctx.db, handleId, 'degraded', err.message);
    await recordActivity(ctx.db, handleId, inserted, nextRunAt, true);
    log.warn({ handle: handle.handle, code: err.code, failures, nextRunAt }, `poll failed: ${err.message}`);
    return out('failed', nextRunAt);
  }
}

class BudgetExhausted extends Error {
  readonly code = 'X_BUDGET_EXHAUSTED';
}

async function planFor(ctx: PollContext, handleId: number, timelines: Timeline[], limits: Awaited<ReturnType<typeof getRateLimits>>, inserted: number, monthReads: number) {
  const all = await listActivity(ctx.db);
  const mine = all.find((a) => a.handleId === handleId)?.activity ?? 0;
  return planNextPoll({
    now: ctx.clock(),
    minSeconds: ctx.config.x.minIntervalSeconds,
    maxSeconds: ctx.config.x.maxIntervalSeconds,
    endpoints: timelines.map((t) => TIMELINE_ENDPOINT[t]),
    limits,
    activity: mine * 0.7 + inserted * 0.3,
    allActivity: all.map((a) => (a.handleId === handleId ? mine * 0.7 + inserted * 0.3 : a.activity)),
    monthlyReadBudget: ctx.config.x.monthlyReadBudget,
    monthReads,
  });
}

/** Warns at 80 % and 100 % of the monthly read budget: a log line and one alert per month and threshold. */
async function checkBudget(ctx: PollContext, monthReads: number, log: Logger): Promise<void> {
  const budget = ctx.config.x.monthlyReadBudget;
  if (!budget) return;
  const month = monthKey(ctx.clock());
  for (const percent of [80, 100]) {
    if (monthReads < (budget * percent) / 100) continue;
    const raised = await raiseBudgetAlert(ctx.db, {
      month,
      percent,
      severity: percent >= 100 ? 'critical' : 'warning',
      title: percent >= 100 ? `X read budget for ${month} is used up: polling paused` : `X read budget for ${month} is ${percent}% used`,
      reasons: [`${monthReads} of ${budget} post reads used in ${month}`],
      details: { month, reads: monthReads, budget },
    });
    if (raised) log.warn({ month, reads: monthReads, budget, percent }, 'X monthly read budget threshold passed');
  }
}
