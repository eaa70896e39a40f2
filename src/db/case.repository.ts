// Owns writing case state (the analyzer's side): the per-handle work queue, case upserts, classifications and activity buckets.
import { sql } from 'kysely';
import type pg from 'pg';
import type { Db } from './connect.ts';
import { copyNew, insertNewOrStaged, insertStaged } from './copy.ts';
import { slaDb, type SlaCaseColumns } from './sla.schema.ts';
import type { CasesTable } from './schema.ts';
import type { Insertable, Selectable } from 'kysely';
import type { CaseState } from '../domain/cases.ts';

export type SlaCaseRow = Selectable<CasesTable & SlaCaseColumns>;
export type NewSlaCaseRow = Insertable<CasesTable & SlaCaseColumns>;

/** One row of a handle's work queue with its tweet. */
export interface QueuedTweet {
  role: string;
  id: string;
  author_id: string;
  author_username: string | null;
  author_name: string | null;
  text: string;
  created_ms: number;
  in_reply_to_tweet_id: string | null;
  in_reply_to_user_id: string | null;
  conversation_id: string | null;
  /** Brand tweets only (see readQueue). */
  mentions: string[] | null;
  /** The author's follower count when the source stored it (X API v2 `users` expansion); TWCS rows have none. */
  followers: number | null;
}

/** Takes the handle's analyzer lock for this transaction: one analyzer batch per handle at a time, on any process. */
export async function lockHandleForAnalysis(db: Db, handleId: number): Promise<void> {
  // Raw SQL: advisory locks are functions. The class 0x414e ("AN") keeps these apart from the poller's locks.
  await sql`select pg_advisory_xact_lock(${0x414e}::int, ${handleId}::int)`.execute(db);
}

/** Which queued links are ready: created by `through` (the watermark), or queued before `queuedBefore` (held long enough). */
export interface QueueLimit {
  through: Date;
  queuedBefore: Date;
}

/**
 * The next `limit` ready unanalyzed links of the handle (all of them without a limit), in tweet time order (ids break
 * ties, as the analysis core sorts). Time order, not arrival order: X pages arrive newest first and the mentions and
 * own timelines are read at different moments, and a case must not depend on that.
 */
export async function readQueue(db: Db, handleId: number, ready: QueueLimit | null, limit: number): Promise<QueuedTweet[]> {
  let q = db
    .selectFrom('tweet_handles as th')
    .innerJoin('tweets as t', 't.id', 'th.tweet_id')
    .select(['th.role', 't.id', 't.author_id', 't.author_username', 't.author_name', 't.text'])
    // Epoch milliseconds: a number parses far cheaper than pg's timestamptz text (thousands of rows a batch).
    .select(sql<number>`(extract(epoch from t.created_at) * 1000)::float8`.as('created_ms'))
    .select(['t.in_reply_to_tweet_id', 't.in_reply_to_user_id', 't.conversation_id'])
    // Mentions route a brand reply to its customer; a customer tweet's handle is its link, so its mentions stay unread.
    .select(sql<string[] | null>`case when th.role = 'brand' then t.mentions end`.as('mentions'))
    // Only the follower count of the stored X payload: the whole of it (kilobytes a tweet) would cross the wire and be
    // parsed for one number. Non-numbers read as null.
    .select(sql<number | null>`case when jsonb_typeof(t.raw #> '{author,public_metrics,followers_count}') = 'number' then (t.raw #>> '{author,public_metrics,followers_count}')::float8 end`.as('followers'))
    .where('th.handle_id', '=', handleId)
    // Literal, not a bound false: the planner matches it to the partial queue index.
    .where(sql<boolean>`not th.analyzed`);
  if (ready) q = q.where((eb) => eb.or([eb('th.created_at', '<=', ready.through), eb('th.queued_at', '<=', ready.queuedBefore)]));
  return q.orderBy('th.created_at').orderBy('th.tweet_id').limit(limit).execute() as Promise<QueuedTweet[]>;
}

/** Flags links as applied; runs in the batch's transaction, so a crash leaves them queued. */
export async function markAnalyzed(db: Db, handleId: number, tweetIds: string[]): Promise<void> {
  if (!tweetIds.length) return;
  // Raw SQL: one update over an id array, sent as one comma-joined string (pg's array parameter escapes each element).
  await sql`update tweet_handles set analyzed = true where handle_id = ${handleId} and tweet_id = any(string_to_array(${tweetIds.join(',')}, ',')::bigint[]) and not analyzed`.execute(db);
}

/** When the longest-waiting unanalyzed link of a handle was queued, if any is left. */
export async function firstQueuedAt(db: Db, handleId: number): Promise<Date | undefined> {
  const row = await db
    .selectFrom('tweet_handles')
    .select((eb) => eb.fn.min('queued_at').as('at'))
    .where('handle_id', '=', handleId)
    .where(sql<boolean>`not analyzed`)
    .executeTakeFirst();
  return row?.at ?? undefined;
}

export type CaseWaitRow = Pick<SlaCaseRow, 'id' | 'handle_id' | 'customer_id' | 'customer_username' | 'opening_tweet_id' | 'state' | 'awaiting_since' | 'wait_metric' | 'wait_seq' | 'policy_name' | 'tier'>;

/** Locks a case for a deadline check; reads the wait columns only (the summary can be large). */
export async function lockCase(db: Db, caseId: string): Promise<CaseWaitRow | undefined> {
  return slaDb(db)
    .selectFrom('cases')
    .select(['id', 'handle_id', 'customer_id', 'customer_username', 'opening_tweet_id', 'state', 'awaiting_since', 'wait_metric', 'wait_seq', 'policy_name', 'tier'])
    .where('id', '=', caseId)
    .forUpdate()
    .executeTakeFirst();
}

export async function casesByKey(db: Db, keys: string[]): Promise<SlaCaseRow[]> {
  if (!keys.length) return [];
  return slaDb(db).selectFrom('cases').selectAll().where('case_key', 'in', keys).forUpdate().execute();
}

/**
 * Inserts or updates cases by case_key; returns each key's id. Runs in `trx`, on `client` (see clientTransaction).
 * `stored` tells the keys that may exist already (the cases the batch loaded); the others are copied straight in
 * with ids drawn up front, falling back to the upsert if one of them exists after all.
 */
export async function upsertCases(trx: Db, client: pg.PoolClient, rows: NewSlaCaseRow[], now: Date, stored: (caseKey: string) => boolean = () => true): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!rows.length) return out;
  const cols = Object.keys(rows[0]).filter((c) => c !== 'created_at') as (keyof NewSlaCaseRow)[];
  const updates = sql.join(cols.filter((c) => c !== 'case_key').map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`));
  const upsert = async (batch: NewSlaCaseRow[]) => {
    // New cases take their ids in key order: the order rows come back from the staging table is not guaranteed (on
    // PostgreSQL 15 the crash test saw two cases swap ids between runs), and alert dedup keys carry the case id.
    const res = await insertStaged<{ id: string; case_key: string }>(
      trx,
      client,
      'cases',
      cols,
      batch.map((r) => cols.map((c) => r[c])),
      sql`order by case_key on conflict (case_key) do update set ${updates}, updated_at = ${now} returning id, case_key`,
    );
    for (const r of res) out.set(r.case_key, r.id);
  };
  const fresh = rows.filter((r) => !stored(r.case_key)).sort((a, b) => (a.case_key < b.case_key ? -1 : a.case_key > b.case_key ? 1 : 0));
  const known = fresh.length === rows.length ? [] : rows.filter((r) => stored(r.case_key));
  if (known.length) await upsert(known);
  if (!fresh.length) return out;
  // Raw SQL: a sequence function over a series; ids ascend in the order drawn, which is key order as above.
  const drawn = await sql<{ id: string }>`select nextval(pg_get_serial_sequence('cases', 'id'))::text as id from generate_series(1, ${fresh.length}::int)`.execute(trx);
  const ids = drawn.rows.map((r) => r.id);
  if (await copyNew(trx, client, 'cases', ['id', ...cols], fresh.map((r, i) => [ids[i], ...cols.map((c) => r[c])]))) fresh.forEach((r, i) => out.set(r.case_key, ids[i]));
  else await upsert(fresh);
  return out;
}

export interface ClassificationRow {
  tweet_id: string;
  handle_id: number;
  case_id: string | null;
  customer_id: string | null;
  role: string;
  kind: string | null;
  complaint_score: number;
  flags: string[];
  reasons: string[];
}

const CLASSIFICATION_COLUMNS = ['tweet_id', 'handle_id', 'case_id', 'customer_id', 'role', 'kind', 'complaint_score', 'flags', 'reasons', 'classified_at'] as const;

/** Each row's fields in CLASSIFICATION_COLUMNS order, in one array refilled per row (copyRows reads it before the next). */
function* classificationFields(rows: ClassificationRow[], now: Date): Generator<unknown[]> {
  const out: unknown[] = new Array(CLASSIFICATION_COLUMNS.length);
  out[9] = now;
  for (const r of rows) {
    out[0] = r.tweet_id;
    out[1] = r.handle_id;
    out[2] = r.case_id;
    out[3] = r.customer_id;
    out[4] = r.role;
    out[5] = r.kind;
    out[6] = r.complaint_score;
    out[7] = r.flags;
    out[8] = JSON.stringify(r.reasons);
    yield out;
  }
}

/** Inserts or replaces the classification of each (tweet, handle). Runs in `trx`, on `client` (see clientTransaction). */
export async function upsertClassifications(trx: Db, client: pg.PoolClient, rows: ClassificationRow[], now: Date): Promise<void> {
  if (!rows.length) return;
  const updates = sql.join(CLASSIFICATION_COLUMNS.filter((c) => c !== 'tweet_id' && c !== 'handle_id').map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`));
  // A tweet is classified once per handle (its queue row is marked in the same transaction): normally every row is new.
  await insertNewOrStaged(trx, client, 'tweet_classifications', CLASSIFICATION_COLUMNS, () => classificationFields(rows, now), sql`on conflict (tweet_id, handle_id) do update set ${updates}`);
}

/** Adds tweet counts to the handle's one-minute activity buckets (the surge baseline). */
export async function addActivity(db: Db, handleId: number, buckets: { bucket: Date; customer: number; brand: number; opened: number }[]): Promise<void> {
  if (!buckets.length) return;
  // Raw SQL: four arrays unnested instead of four bind parameters a bucket (a backlog batch spans thousands of minutes).
  // Sorted by bucket so concurrent batches of one handle take row locks in one order.
  const sorted = [...buckets].sort((a, b) => a.bucket.getTime() - b.bucket.getTime());
  await sql`
    insert into handle_activity (handle_id, bucket, customer_tweets, brand_tweets, cases_opened)
    select ${handleId}, * from unnest(${sorted.map((b) => b.bucket.toISOString())}::timestamptz[], ${sorted.map((b) => b.customer)}::int[],
      ${sorted.map((b) => b.brand)}::int[], ${sorted.map((b) => b.opened)}::int[])
    on conflict (handle_id, bucket) do update set customer_tweets = handle_activity.customer_tweets + excluded.customer_tweets,
      brand_tweets = handle_activity.brand_tweets + excluded.brand_tweets, cases_opened = handle_activity.cases_opened + excluded.cases_opened`.execute(db);
}

/** What the SLA engine stores next to the threading state of a case. */
export interface CaseSla {
  teamId: number;
  policyName: string;
  tier: string;
  flags: string[];
  nextDueAt: Date | null;
}

/** Maps the analysis core's case state to its row; `summary` keeps the whole state so the next batch resumes from it. */
export function caseRowFromState(handleId: number, s: CaseState, sla: CaseSla, customerUsername: string | null): NewSlaCaseRow {
  const d = (ms: number | null) => (ms === null ? null : new Date(ms));
  const waiting = s.state === 'open' && s.awaitingSince !== null;
  return {
    case_key: s.caseId,
    handle_id: handleId,
    customer_id: s.customerId,
    customer_username: customerUsername,
    opening_tweet_id: s.openingTweetId,
    opened_at: new Date(s.openedAt),
    state: s.state,
    closed_at: d(s.closedAt),
    close_reason: s.closeReason,
    first_customer_at: new Date(s.openedAt),
    last_customer_at: new Date(s.lastCustomerAt),
    first_brand_at: s.replies.length ? new Date(s.replies.reduce((min, r) => (r.at < min ? r.at : min), Infinity)) : null,
    last_brand_at: d(s.lastBrandAt),
    awaiting_since: waiting ? new Date(s.awaitingSince!) : null,
    first_response_seconds: s.firstResponseSeconds,
    first_response_business_seconds: s.firstResponseBusinessSeconds,
    next_response_seconds: JSON.stringify(s.nextResponseSeconds),
    next_response_business_seconds: JSON.stringify(s.nextResponseBusinessSeconds),
    customer_tweets: s.customerTweets,
    brand_replies: s.brandReplies,
    nudges: s.nudges,
    complaint_score: s.complaintScore,
    flags: sla.flags,
    summary: JSON.stringify(s),
    team_id: sla.teamId,
    policy_name: sla.policyName,
    tier: sla.tier,
    wait_metric: waiting ? (s.waitSeq === 0 ? 'first_response' : 'next_response') : null,
    wait_seq: waiting ? s.waitSeq : -1,
    next_due_at: sla.nextDueAt,
  };
}

/** The latest case (open or closed) of each customer with the handle: where the next tweet of that pair is applied. */
export async function latestCases(db: Db, handleId: number, customerIds: string[]): Promise<Pick<SlaCaseRow, 'customer_id' | 'customer_username' | 'summary'>[]> {
  if (!customerIds.length) return [];
  return slaDb(db)
    .selectFrom('cases')
    // The summary holds the whole state; the other columns are derived from it.
    .select(['customer_id', 'customer_username', 'summary'])
    .distinctOn('customer_id')
    .where('handle_id', '=', handleId)
    .where('customer_id', 'in', customerIds)
    .orderBy('customer_id')
    .orderBy('opened_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Reply-to targets of a batch: each parent tweet's author and, for this handle, the customer it was routed to. */
export async function parentTweets(db: Db, handleId: number, ids: string[]): Promise<{ id: string; author_id: string; author_username: string | null; customer_id: string | null }[]> {
  if (!ids.length) return [];
  return slaDb(db)
    .selectFrom('tweets as t')
    .leftJoin('tweet_classifications as tc', (j) => j.onRef('tc.tweet_id', '=', 't.id').on('tc.handle_id', '=', handleId))
    .select(['t.id', 't.author_id', 't.author_username', 'tc.customer_id'])
    .where('t.id', 'in', ids)
    .execute();
}

/** Watched handles by lower-case name and by X user id (routing decides which tweets belong to whom). */
export async function watchedHandles(db: Db): Promise<{ handle: string; x_user_id: string | null }[]> {
  return db.selectFrom('handles').select(['handle', 'x_user_id']).execute();
}

export async function touchLastBrandTweet(db: Db, handleId: number, at: Date): Promise<void> {
  await db
    .updateTable('handles')
    // greatest() ignores nulls, so a first post sets it and an older one never moves it back.
    .set({ last_brand_tweet_at: sql<Date>`greatest(last_brand_tweet_at, ${at}::timestamptz)` })
    .where('id', '=', handleId)
    .execute();
}

/** Per-tweet view of cases for the alert rules: each classified tweet with its time, oldest first. */
export async function caseTimelines(db: Db, caseIds: string[]) {
  if (!caseIds.length) return [];
  return db
    .selectFrom('tweet_classifications as tc')
    .innerJoin('tweets as t', 't.id', 'tc.tweet_id')
    .select(['tc.case_id', 'tc.tweet_id', 'tc.role', 'tc.kind', 'tc.flags', 'tc.reasons', 't.created_at'])
    .where('tc.case_id', 'in', caseIds)
    .orderBy('t.created_at')
    .orderBy('t.id')
    .execute();
}

/** Open cases of a handle nobody waits in whose last tweet is older than `before`: candidates for closing as quiet. */
export async function quietCandidates(db: Db, handleId: number, before: Date, afterId: string, limit: number) {
  return slaDb(db)
    .selectFrom('cases')
    .select(['id', 'case_key', 'summary', 'customer_username', 'policy_name', 'tier', 'team_id'])
    .where('handle_id', '=', handleId)
    .where('state', '=', 'open')
    .where('awaiting_since', 'is', null)
    .where(sql<boolean>`coalesce(greatest(last_customer_at, last_brand_at), opened_at) < ${before}`)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}
