// Cuts the database's share of the analyzer's writes: a case row for every case a batch opens or touches and a
// classification row for every tweet (76k and 195k rows for the 195k tweets of the analyzer benchmark, bench/deadlines.ts):
// * `summary` becomes `json`: it is the analysis core's state, written whole and read whole by the analyzer (and shown
//   whole by the API), never searched with jsonb operators; building a jsonb tree of ~1 kB on every write cost about
//   10 µs a row on input and more again on output.
// * the per-row foreign-key checks of cases on handles and teams, and the last one of tweet_classifications (on
//   handles), go, as the others of tweet_classifications did in 0009: together about 2 s of server time in that
//   benchmark. The analyzer, the only writer, takes these ids from the handle it holds the analysis lock of, and
//   handles and teams are never deleted (a handle is deactivated). A retention job or a manual clean-up that deletes a
//   handle must delete its cases and classifications itself.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table cases drop constraint if exists cases_handle_id_fkey`.execute(db);
  await sql`alter table cases drop constraint if exists cases_team_id_fkey`.execute(db);
  await sql`alter table tweet_classifications drop constraint if exists tweet_classifications_handle_id_fkey`.execute(db);
  await sql`alter table cases alter column summary drop default`.execute(db);
  await sql`alter table cases alter column summary type json using summary::json`.execute(db);
  await sql`alter table cases alter column summary set default '{}'::json`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table cases alter column summary drop default`.execute(db);
  await sql`alter table cases alter column summary type jsonb using summary::jsonb`.execute(db);
  await sql`alter table cases alter column summary set default '{}'::jsonb`.execute(db);
  await sql`alter table cases add constraint cases_handle_id_fkey foreign key (handle_id) references handles (id) on delete cascade`.execute(db);
  await sql`alter table cases add constraint cases_team_id_fkey foreign key (team_id) references teams (id)`.execute(db);
  await sql`alter table tweet_classifications add constraint tweet_classifications_handle_id_fkey foreign key (handle_id) references handles (id) on delete cascade`.execute(db);
}
