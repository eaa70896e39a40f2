// Owns writing tweets: bulk idempotent upserts, the tweet-to-handle links the analyzer reads, and partial errors.
import { sql } from 'kysely';
import type { Db } from './connect.ts';
import type { TweetRecord, XProblem } from '../domain/x-tweet.ts';
import { compareIds } from '../domain/x-tweet.ts';

export interface TweetLink {
  handleId: number;
  tweetId: string;
  role: 'customer' | 'brand';
  /** The tweet's created_at: the analyzer reads its queue in this order. */
  createdAt: Date;
}

export interface UpsertResult {
  inserted: number;
  updated: number;
}

/** Keeps one record per id (the one with the longest edit history), since one statement cannot touch a row twice. */
export function dedupeRecords(records: TweetRecord[]): TweetRecord[] {
  const byId = new Map<string, TweetRecord>();
  for (const r of records) {
    const prev = byId.get(r.tweet.id);
    if (!prev || (r.editHistory?.length ?? 0) > (prev.editHistory?.length ?? 0)) byId.set(r.tweet.id, r);
  }
  return [...byId.values()];
}

/**
 * Inserts tweets by id; an existing row is only rewritten when the new record carries a longer edit
 * history (a newer version), so re-reads never duplicate and never roll the text back.
 */
export async function upsertTweets(db: Db, records: TweetRecord[], source: string): Promise<UpsertResult> {
  const rows = dedupeRecords(records);
  if (!rows.length) return { inserted: 0, updated: 0 };
  // One JSON document per batch: JSON.stringify and json_to_recordset are both native, much cheaper than a dozen
  // escaped array literals. Ragged arrays (mentions, edit history) travel as joined strings. `json`, not `jsonb`: the
  // document is read once, so building a jsonb tree of it first only costs time (~25 % of the statement).
  const doc = JSON.stringify(
    rows.map((r) => ({
      id: r.tweet.id,
      a: r.tweet.authorId,
      au: r.tweet.authorUsername ?? null,
      an: r.tweet.authorName ?? null,
      t: r.tweet.text,
      c: r.tweet.createdAt.toISOString(),
      rt: r.tweet.inReplyToTweetId ?? null,
      ru: r.tweet.inReplyToUserId ?? null,
      cv: r.tweet.conversationId ?? null,
      m: r.tweet.mentions.join(' '),
      e: r.editHistory?.join(',') ?? null,
      raw: r.raw === undefined ? null : r.raw,
    })),
  );
  // Raw SQL: INSERT ... SELECT FROM jsonb_to_recordset sends a whole batch in one round trip, which Kysely's builder cannot express.
  // Counted in the statement: a batch's worth of returned rows would only be counted here.
  const res = await sql<{ inserted: number; touched: number }>`
    with w as (
      insert into tweets (id, author_id, author_username, author_name, text, created_at, in_reply_to_tweet_id,
        in_reply_to_user_id, conversation_id, mentions, edit_history, source, raw)
      select u.id, u.a, u.au, u.an, u.t, u.c, u.rt, u.ru, u.cv, string_to_array(u.m, ' '), string_to_array(u.e, ',')::bigint[], ${source}, u.raw
      from json_to_recordset(${doc}::json) as u(id bigint, a text, au text, an text, t text, c timestamptz, rt bigint, ru text, cv bigint, m text, e text, raw jsonb)
      on conflict (id) do update set
        text = excluded.text, raw = excluded.raw, edit_history = excluded.edit_history,
        author_username = coalesce(excluded.author_username, tweets.author_username),
        author_name = coalesce(excluded.author_name, tweets.author_name), updated_at = now()
      where coalesce(cardinality(excluded.edit_history), 0) > coalesce(cardinality(tweets.edit_history), 0)
      returning (xmax = 0) as inserted)
    select (count(*) filter (where inserted))::int as inserted, count(*)::int as touched from w`.execute(db);
  const { inserted, touched } = res.rows[0];
  return { inserted, updated: touched - inserted };
}

/** Adds tweet-to-handle links; returns the handles that got new rows (and how many), so only they wake the analyzer. */
export async function linkTweetHandles(db: Db, links: TweetLink[]): Promise<Map<number, number>> {
  const added = new Map<number, number>();
  if (!links.length) return added;
  // Raw SQL: bulk unnest insert, as above. Sorted so concurrent writers take row locks in one order.
  const sorted = [...links].sort((a, b) => a.handleId - b.handleId || compareIds(a.tweetId, b.tweetId));
  const res = await sql<{ handle_id: number; n: number }>`
    with w as (
      insert into tweet_handles (handle_id, tweet_id, role, created_at)
      select * from unnest(${sorted.map((l) => l.handleId)}::int[], ${sorted.map((l) => l.tweetId)}::bigint[], ${sorted.map((l) => l.role)}::text[],
        ${sorted.map((l) => l.createdAt.toISOString())}::timestamptz[])
      on conflict (handle_id, tweet_id) do nothing
      returning handle_id)
    select handle_id, count(*)::int as n from w group by handle_id order by handle_id`.execute(db);
  for (const r of res.rows) added.set(r.handle_id, r.n);
  return added;
}

/** Records deleted/withheld/protected posts reported in errors[] of a 200 response; the same problem twice is one row. */
export async function recordTweetErrors(db: Db, handleId: number | null, problems: XProblem[]): Promise<number> {
  if (!problems.length) return 0;
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.resource_id ?? p.value}|${p.type}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const rows = unique.map((p) => ({
    handle_id: handleId,
    resource_id: p.resource_id ?? p.value ?? null,
    type: p.type ?? null,
    title: p.title ?? null,
    detail: p.detail ?? null,
    raw: JSON.stringify(p),
  }));
  const res = await db
    .insertInto('tweet_errors')
    .values(rows)
    .onConflict((oc) => oc.columns(['handle_id', 'resource_id', 'type']).doUpdateSet({ seen_at: new Date() }))
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0);
}

export async function countTweets(db: Db): Promise<number> {
  const r = await db.selectFrom('tweets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
