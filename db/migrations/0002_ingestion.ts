// Ingestion state shared by every poller process: X rate limits per endpoint, monthly read counts, per-handle poll planning.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The last x-rate-limit-* headers seen per endpoint (app bearer limits are per app, so all processes share them).
  await db.schema
    .createTable('x_rate_limits')
    .addColumn('endpoint', 'text', (c) => c.primaryKey())
    .addColumn('limit', 'integer', (c) => c.notNull())
    .addColumn('remaining', 'integer', (c) => c.notNull())
    .addColumn('reset_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Posts read per calendar month (UTC, 'YYYY-MM'): pay-per-use plans bill every post returned.
  await db.schema
    .createTable('x_read_usage')
    .addColumn('month', 'text', (c) => c.primaryKey())
    .addColumn('reads', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('requests', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // How busy each handle is, so the budget goes where the tweets are.
  await db.schema
    .createTable('x_poll_state')
    .addColumn('handle_id', 'integer', (c) => c.primaryKey().references('handles.id').onDelete('cascade'))
    .addColumn('activity', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('last_new_tweets', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_poll_at', 'timestamptz')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['x_poll_state', 'x_read_usage', 'x_rate_limits']) await db.schema.dropTable(t).ifExists().execute();
}
