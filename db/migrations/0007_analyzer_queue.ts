// The analyzer's queue becomes "links not yet analyzed, in tweet time order" instead of "links past a seq cursor".
// Why: a seq cursor applies tweets in arrival order, and arrival order is not time order (the poller reads newest
// pages first and the mentions and own timelines at different moments), so an earlier tweet stored after a later one
// changed its case; and a seq taken by a transaction that commits after a higher one would be skipped for good.
// Each link now carries its tweet's time, when it was queued and an `analyzed` flag; the analyzer reads unanalyzed
// links up to the handle's watermark in (created_at, tweet_id) order and flags them in the same transaction as the
// case updates. `queued_at` bounds how long a link waits for the watermark.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tweet_handles').addColumn('created_at', 'timestamptz').execute();
  await sql`update tweet_handles th set created_at = t.created_at from tweets t where t.id = th.tweet_id`.execute(db);
  await db.schema.alterTable('tweet_handles').alterColumn('created_at', (c) => c.setNotNull()).execute();
  await db.schema.alterTable('tweet_handles').addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`)).execute();
  // Existing rows default to analyzed (a metadata-only default); those past the old cursor are queued again below.
  await db.schema.alterTable('tweet_handles').addColumn('analyzed', 'boolean', (c) => c.notNull().defaultTo(true)).execute();
  await db.schema.alterTable('tweet_handles').alterColumn('analyzed', (c) => c.setDefault(false)).execute();
  await sql`update tweet_handles th set analyzed = false
    where not exists (select 1 from cursors c where c.handle_id = th.handle_id and c.timeline = 'analyzer' and th.seq <= c.position::bigint)`.execute(db);
  await sql`delete from cursors where timeline = 'analyzer'`.execute(db);
  await sql`create index tweet_handles_queue on tweet_handles (handle_id, created_at, tweet_id) where not analyzed`.execute(db);
  await db.schema.dropIndex('tweet_handles_handle_seq').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('tweet_handles_handle_seq').ifNotExists().on('tweet_handles').columns(['handle_id', 'seq']).execute();
  await sql`insert into cursors (handle_id, timeline, position)
    select handle_id, 'analyzer', coalesce(min(seq) filter (where not analyzed) - 1, max(seq))::text from tweet_handles group by handle_id
    on conflict (handle_id, timeline) do nothing`.execute(db);
  await db.schema.dropIndex('tweet_handles_queue').ifExists().execute();
  await db.schema.alterTable('tweet_handles').dropColumn('analyzed').execute();
  await db.schema.alterTable('tweet_handles').dropColumn('queued_at').execute();
  await db.schema.alterTable('tweet_handles').dropColumn('created_at').execute();
}
