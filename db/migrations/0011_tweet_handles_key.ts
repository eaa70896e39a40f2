// tweet_handles is keyed by (handle_id, tweet_id), as its unique constraint already said, and loses `seq`: nothing has
// read seq since the analyzer's queue became "links not yet analyzed, in time order" (0007), yet every link still drew
// a sequence value and added an entry to the seq primary key on ingest, and the analyzer's `analyzed = true` update
// (never HOT: the queue index's predicate reads the flag) added another entry to it for every tweet it applied.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table tweet_handles drop constraint tweet_handles_pkey`.execute(db);
  await sql`alter table tweet_handles drop column seq`.execute(db);
  await sql`alter table tweet_handles drop constraint tweet_handles_unique, add constraint tweet_handles_pkey primary key (handle_id, tweet_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table tweet_handles drop constraint tweet_handles_pkey, add constraint tweet_handles_unique unique (handle_id, tweet_id)`.execute(db);
  await sql`alter table tweet_handles add column seq bigserial primary key`.execute(db);
}
