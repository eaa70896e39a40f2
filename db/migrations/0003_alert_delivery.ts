// Adds the notifier's bookkeeping: per-channel send state, digests, delivery attempts and escalation columns.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per channel, shared by every notifier process: the next free send slot (rate limit, Retry-After)
  // and how many messages the current digest window has already let through.
  await db.schema
    .createTable('channel_state')
    .addColumn('channel', 'text', (c) => c.primaryKey())
    .addColumn('next_send_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_send_at', 'timestamptz')
    .addColumn('window_start', 'timestamptz')
    .addColumn('window_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // One message folding many deliveries of one channel (a burst, or alerts held over quiet hours).
  // Its id is the X-Replywatch-Delivery header, the same on every retry.
  await db.schema
    .createTable('digests')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('alert_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('digests_channel_state').on('digests').columns(['channel', 'state']).execute();

  // Every send attempt (of a delivery or a digest), so "sent exactly once" is visible and enforced.
  await db.schema
    .createTable('delivery_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('delivery_id', 'uuid', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('delivery_attempts_delivery').on('delivery_attempts').column('delivery_id').execute();
  // A delivery may be sent more than once after a crash (same id, the receiver dedupes) but is marked sent once.
  await sql`create unique index delivery_attempts_sent_once on delivery_attempts (delivery_id) where outcome = 'sent'`.execute(db);

  await db.schema.alterTable('alerts').addColumn('escalated_at', 'timestamptz').execute();
  await db.schema.alterTable('alerts').addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('alerts').addColumn('reopened_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema.alterTable('deliveries').addColumn('route', 'text').execute();
  await db.schema.createIndex('deliveries_channel_state').on('deliveries').columns(['channel', 'state', 'next_attempt_at']).execute();
  await db.schema.createIndex('deliveries_digest').on('deliveries').column('digest_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deliveries_digest').ifExists().execute();
  await db.schema.dropIndex('deliveries_channel_state').ifExists().execute();
  await db.schema.alterTable('deliveries').dropColumn('route').execute();
  for (const c of ['escalated_at', 'escalation_level', 'reopened_count']) await db.schema.alterTable('alerts').dropColumn(c).execute();
  for (const t of ['delivery_attempts', 'digests', 'channel_state']) await db.schema.dropTable(t).ifExists().execute();
}
