// Adds the SLA engine's bookkeeping: the current wait of each case (for deadline re-checks) and per-handle activity buckets (the surge baseline).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('cases')
    .addColumn('team_id', 'integer', (c) => c.references('teams.id'))
    .addColumn('policy_name', 'text')
    .addColumn('tier', 'text', (c) => c.notNull().defaultTo('standard'))
    // The wait the customer is in now: which metric it measures and its sequence (0 = first response).
    .addColumn('wait_metric', 'text')
    .addColumn('wait_seq', 'integer', (c) => c.notNull().defaultTo(-1))
    // The breach due time of the current wait, so "how many cases breach in the next hour" is one index range.
    .addColumn('next_due_at', 'timestamptz')
    .execute();
  await sql`create index cases_waiting_due on cases (handle_id, next_due_at) where awaiting_since is not null and state = 'open'`.execute(db);

  // The customer a tweet was routed to for this handle (also for an orphan brand reply, which has no case),
  // so a later reply to it can be routed the same way `replywatch analyze` routes it from memory.
  await db.schema.alterTable('tweet_classifications').addColumn('customer_id', 'text').execute();

  // Customer and brand tweets per handle per minute, kept by the analyzer in its batch transaction.
  // The surge rule compares the last minutes with the same hour of the week in the previous weeks.
  await db.schema
    .createTable('handle_activity')
    .addColumn('handle_id', 'integer', (c) => c.notNull().references('handles.id').onDelete('cascade'))
    .addColumn('bucket', 'timestamptz', (c) => c.notNull())
    .addColumn('customer_tweets', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('brand_tweets', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cases_opened', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('handle_activity_pk', ['handle_id', 'bucket'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('handle_activity').ifExists().execute();
  await db.schema.alterTable('tweet_classifications').dropColumn('customer_id').execute();
  await sql`drop index if exists cases_waiting_due`.execute(db);
  for (const c of ['next_due_at', 'wait_seq', 'wait_metric', 'tier', 'policy_name', 'team_id']) await db.schema.alterTable('cases').dropColumn(c).execute();
}
