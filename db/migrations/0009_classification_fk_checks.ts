// Drops the per-row foreign-key checks of tweet_classifications on tweets and cases: the analyzer writes a row per tweet
// and handle, and these two checks took about a fifth of its database time in the analyzer benchmark (bench/deadlines.ts).
// Nothing is lost by it: the analyzer, the only writer, takes every tweet id from the queue rows it read and every case
// id from the case upsert of the same transaction, and nothing deletes tweets or cases. The handle reference stays, so
// deleting a handle still deletes its classifications (and its cases). A retention job that deletes tweets or cases
// must delete their classifications itself.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table tweet_classifications drop constraint if exists tweet_classifications_tweet_id_fkey`.execute(db);
  await sql`alter table tweet_classifications drop constraint if exists tweet_classifications_case_id_fkey`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table tweet_classifications add constraint tweet_classifications_tweet_id_fkey foreign key (tweet_id) references tweets (id) on delete cascade`.execute(db);
  await sql`alter table tweet_classifications add constraint tweet_classifications_case_id_fkey foreign key (case_id) references cases (id) on delete cascade`.execute(db);
}
