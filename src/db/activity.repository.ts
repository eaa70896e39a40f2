// Owns the reads behind the periodic rules: a handle's recent and usual volume, its waiting cases and its last post.
import { sql } from 'kysely';
import type { Db } from './connect.ts';
import { slaDb } from './sla.schema.ts';

const BUCKET_MS = 60_000;

/** Customer tweets in the last `minutes` (the oldest bucket counted pro rata) and brand tweets in the last hour. */
export async function recentActivity(db: Db, handleId: number, now: Date, minutes: number): Promise<{ mentions: number; repliesLastHour: number }> {
  const from = now.getTime() - minutes * 60_000;
  const rows = await slaDb(db)
    .selectFrom('handle_activity')
    .select(['bucket', 'customer_tweets', 'brand_tweets'])
    .where('handle_id', '=', handleId)
    .where('bucket', '>', new Date(Math.min(from, now.getTime() - 3_600_000) - BUCKET_MS))
    .where('bucket', '<=', now)
    .execute();
  let mentions = 0;
  let replies = 0;
  for (const r of rows) {
    const start = r.bucket.getTime();
    const end = start + BUCKET_MS;
    const overlap = Math.max(0, Math.min(end, now.getTime()) - Math.max(start, from)) / Math.min(BUCKET_MS, Math.max(1, now.getTime() - start));
    mentions += r.customer_tweets * Math.min(1, overlap);
    if (end > now.getTime() - 3_600_000) replies += r.brand_tweets;
  }
  return { mentions: Math.round(mentions), repliesLastHour: replies };
}

/** Mean customer tweets in this hour of the week over the previous `weeks` weeks (0 when the handle is new). */
export async function usualPerHour(db: Db, handleId: number, now: Date, weeks = 4): Promise<number> {
  const hour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
  const ranges = Array.from({ length: weeks }, (_, i) => hour - (i + 1) * 7 * 86_400_000);
  const r = await slaDb(db)
    .selectFrom('handle_activity')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('customer_tweets'), sql<number>`0`).as('n'))
    .where('handle_id', '=', handleId)
    .where((eb) => eb.or(ranges.map((start) => eb.and([eb('bucket', '>=', new Date(start)), eb('bucket', '<', new Date(start + 3_600_000))]))))
    .executeTakeFirstOrThrow();
  return Number(r.n) / weeks;
}

/** Cases waiting for the brand: how many, since when the oldest, and the breach due times falling before `until`. */
export async function waitingCases(db: Db, handleId: number, until: Date): Promise<{ count: number; oldest?: Date; dueSoon: Date[] }> {
  const base = slaDb(db).selectFrom('cases').where('handle_id', '=', handleId).where('state', '=', 'open').where('awaiting_since', 'is not', null);
  const agg = await base.select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('awaiting_since').as('oldest')]).executeTakeFirstOrThrow();
  const due = await base.select('next_due_at').where('next_due_at', '<', until).orderBy('next_due_at').execute();
  return { count: Number(agg.n), oldest: agg.oldest ? new Date(agg.oldest as Date) : undefined, dueSoon: due.map((d) => d.next_due_at!) };
}

export async function activeHandles(db: Db): Promise<{ id: number; last_brand_tweet_at: Date | null }[]> {
  return db.selectFrom('handles').select(['id', 'last_brand_tweet_at']).where('active', '=', true).orderBy('id').execute();
}
