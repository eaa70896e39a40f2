// Owns the database reads behind /metrics gauges; each runs at scrape time.
import { sql } from 'kysely';
import type { Db } from './connect.ts';
import { notifierDb } from './notifier.schema.ts';

export async function tweetsStored(db: Db): Promise<number> {
  const row = await db.selectFrom('tweets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function pollTimes(db: Db) {
  return db.selectFrom('handles').select(['handle', 'last_polled_at']).where('active', '=', true).execute();
}

export async function openCasesByHandle(db: Db) {
  const rows = await db
    .selectFrom('cases as c')
    .innerJoin('handles as h', 'h.id', 'c.handle_id')
    .select(['h.handle', (eb) => eb.fn.countAll<string>().as('n')])
    .where('c.state', '=', 'open')
    .groupBy('h.handle')
    .execute();
  return rows.map((r) => ({ handle: r.handle, n: Number(r.n) }));
}

export async function alertsByKindState(db: Db) {
  const rows = await db.selectFrom('alerts').select(['kind', 'state', (eb) => eb.fn.countAll<string>().as('n')]).groupBy(['kind', 'state']).execute();
  return rows.map((r) => ({ kind: r.kind, state: r.state, n: Number(r.n) }));
}

export async function deliveriesByState(db: Db) {
  const rows = await db.selectFrom('deliveries').select(['state', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('state').execute();
  return rows.map((r) => ({ state: r.state, n: Number(r.n) }));
}

/** Channels paused now after a 429/503 (or a probe in flight), with when the pause ends. */
export async function pausedChannels(db: Db, now: Date): Promise<{ channel: string; pausedUntil: Date }[]> {
  const rows = await notifierDb(db).selectFrom('channel_state').select(['channel', 'paused_until']).where('paused_until', '>', now).execute();
  return rows.map((r) => ({ channel: r.channel, pausedUntil: r.paused_until! }));
}

/**
 * Failed attempts so far: deliveries that erred at least once (pending retries and dead ones). A cancelled delivery's
 * last_error is why it was left out (acknowledged or resolved first), not a failure.
 */
export async function deliveriesFailed(db: Db): Promise<number> {
  const row = await db.selectFrom('deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('last_error', 'is not', null).where('state', '!=', 'cancelled').executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Rate-limit budget per X endpoint, if the poller keeps it in a table (`x_rate_limits` with endpoint, remaining).
 * Raw SQL: the table is optional and outside the typed schema, so its absence must not break the scrape.
 */
export async function xRateLimits(db: Db): Promise<{ endpoint: string; remaining: number }[]> {
  const exists = await sql<{ t: string | null }>`select to_regclass('public.x_rate_limits')::text as t`.execute(db);
  if (!exists.rows[0]?.t) return [];
  const rows = await sql<{ endpoint: string; remaining: number }>`select endpoint::text as endpoint, remaining::float8 as remaining from x_rate_limits`.execute(db);
  return rows.rows;
}
