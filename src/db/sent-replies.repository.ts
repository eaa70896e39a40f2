// Owns what the canned-reply memory is rebuilt from: a handle's latest analyzed replies, and the count of them that tells a process whether its memory is current.
import type { Db } from './connect.ts';
import { getCursor, setCursor } from './cursor.repository.ts';
import { slaDb } from './sla.schema.ts';

/** A per-handle cursor: how many replies the analyzers applied (routed to a customer, so seen by CannedDetector). */
const REPLIES_CURSOR = 'analyzer:replies';

/** Replies of the handle applied so far, by any analyzer process. Read it under the handle's analyzer lock. */
export async function appliedReplies(db: Db, handleId: number): Promise<number> {
  return Number((await getCursor(db, handleId, REPLIES_CURSOR)) ?? 0);
}

/** Stores the new count with the batch that applied the replies (under the handle's analyzer lock). */
export async function setAppliedReplies(db: Db, handleId: number, count: number): Promise<void> {
  await setCursor(db, handleId, REPLIES_CURSOR, String(count));
}

/**
 * The handle's latest `limit` analyzed brand tweets that were routed to a customer (broadcasts, which have no kind,
 * were never shown to the canned detector), with that customer, oldest first in the analyzer's order (tweet time,
 * then id): the order to replay them in. "Latest" is by tweet id, which grows with time on X (TWCS ids mostly do):
 * the primary key then yields them newest first without reading the handle's whole history.
 */
export async function latestSentReplies(db: Db, handleId: number, limit: number): Promise<{ customer_id: string; text: string }[]> {
  // The limit applies in the subquery, before the joins: joined first, every brand link of the handle would be.
  const latest = db
    .selectFrom('tweet_handles')
    .select(['tweet_id', 'created_at'])
    .where('handle_id', '=', handleId)
    .where('role', '=', 'brand')
    .where('analyzed', '=', true)
    .orderBy('tweet_id', 'desc')
    .limit(limit);
  const rows = await slaDb(db)
    .selectFrom(latest.as('th'))
    .innerJoin('tweet_classifications as tc', (j) => j.onRef('tc.tweet_id', '=', 'th.tweet_id').on('tc.handle_id', '=', handleId))
    .innerJoin('tweets as t', 't.id', 'th.tweet_id')
    .select(['tc.customer_id', 't.text'])
    .where('tc.kind', 'is not', null)
    .where('tc.customer_id', 'is not', null)
    .orderBy('th.created_at')
    .orderBy('th.tweet_id')
    .execute();
  return rows as { customer_id: string; text: string }[];
}
