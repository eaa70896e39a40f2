// Owns the shared X usage state: rate limits per endpoint, monthly read counts, per-handle activity, budget alerts.
import { sql } from 'kysely';
import type { Db } from './connect.ts';
import { ingestionDb } from './ingestion.schema.ts';

export interface StoredRateLimit {
  endpoint: string;
  limit: number;
  remaining: number;
  resetAt: Date;
}

export async function saveRateLimit(db: Db, rl: StoredRateLimit): Promise<void> {
  const row = { endpoint: rl.endpoint, limit: rl.limit, remaining: rl.remaining, reset_at: rl.resetAt, updated_at: new Date() };
  await ingestionDb(db)
    .insertInto('x_rate_limits')
    .values(row)
    .onConflict((oc) => oc.column('endpoint').doUpdateSet(row))
    .execute();
}

export async function getRateLimits(db: Db): Promise<Map<string, StoredRateLimit>> {
  const rows = await ingestionDb(db).selectFrom('x_rate_limits').selectAll().execute();
  return new Map(rows.map((r) => [r.endpoint, { endpoint: r.endpoint, limit: r.limit, remaining: r.remaining, resetAt: r.reset_at }]));
}

export function monthKey(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** Adds posts read (billed) and requests made this month; returns the month's total reads. */
export async function addReads(db: Db, at: Date, reads: number, requests = 1): Promise<number> {
  const month = monthKey(at);
  const row = await ingestionDb(db)
    .insertInto('x_read_usage')
    .values({ month, reads, requests })
    .onConflict((oc) =>
      oc.column('month').doUpdateSet((eb) => ({
        reads: eb('x_read_usage.reads', '+', reads),
        requests: eb('x_read_usage.requests', '+', requests),
        updated_at: new Date(),
      })),
    )
    .returning('reads')
    .executeTakeFirstOrThrow();
  return Number(row.reads);
}

export async function getReads(db: Db, at: Date): Promise<number> {
  const row = await ingestionDb(db).selectFrom('x_read_usage').select('reads').where('month', '=', monthKey(at)).executeTakeFirst();
  return Number(row?.reads ?? 0);
}

export interface PollActivity {
  handleId: number;
  activity: number;
}

/** Folds the new tweets of one poll into the handle's activity (an exponentially weighted average per poll). */
export async function recordActivity(db: Db, handleId: number, newTweets: number, nextPollAt: Date | null, failed: boolean): Promise<void> {
  const idb = ingestionDb(db);
  await idb
    .insertInto('x_poll_state')
    .values({ handle_id: handleId, activity: newTweets, last_new_tweets: newTweets, next_poll_at: nextPollAt, failures: failed ? 1 : 0 })
    .onConflict((oc) =>
      oc.column('handle_id').doUpdateSet({
        // Raw sql: the 0.7/0.3 blend reads the old value, which Kysely's update builder cannot express with excluded.*.
        activity: failed ? sql<number>`x_poll_state.activity` : sql<number>`x_poll_state.activity * 0.7 + ${newTweets}::float8 * 0.3`,
        last_new_tweets: newTweets,
        next_poll_at: nextPollAt,
        failures: failed ? sql<number>`x_poll_state.failures + 1` : 0,
        updated_at: new Date(),
      }),
    )
    .execute();
}

export async function getFailures(db: Db, handleId: number): Promise<number> {
  const row = await ingestionDb(db).selectFrom('x_poll_state').select('failures').where('handle_id', '=', handleId).executeTakeFirst();
  return row?.failures ?? 0;
}

/** Activity of every active handle, for sharing the rate budget. */
export async function listActivity(db: Db): Promise<PollActivity[]> {
  const rows = await ingestionDb(db)
    .selectFrom('handles')
    .leftJoin('x_poll_state', 'x_poll_state.handle_id', 'handles.id')
    .select(['handles.id as handleId', 'x_poll_state.activity'])
    .where('handles.active', '=', true)
    .where('handles.health', 'not in', ['unauthorized', 'forbidden', 'not_found'])
    .execute();
  return rows.map((r) => ({ handleId: r.handleId, activity: r.activity ?? 0 }));
}

/** Raises a budget warning once per month and threshold (the dedup key makes repeats no-ops); the notifier delivers it. */
export async function raiseBudgetAlert(
  db: Db,
  a: { month: string; percent: number; severity: 'warning' | 'critical'; title: string; reasons: string[]; details: Record<string, unknown> },
): Promise<boolean> {
  const res = await db
    .insertInto('alerts')
    .values({
      dedup_key: `budget:${a.month}:${a.percent}`,
      kind: 'budget',
      severity: a.severity,
      title: a.title,
      reasons: JSON.stringify(a.reasons),
      details: JSON.stringify(a.details),
    })
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}
