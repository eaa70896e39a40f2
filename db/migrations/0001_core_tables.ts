// Core tables: configuration (teams, calendars, policies, handles, channels, routes), tweets, cases, classifications, alerts, deliveries, cursors, tokens.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('calendars')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('hours', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('holidays', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('policies')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('teams')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('calendar_id', 'integer', (c) => c.references('calendars.id'))
    .addColumn('policy_id', 'integer', (c) => c.references('policies.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('handles')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('x_user_id', 'text')
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id'))
    .addColumn('policy_id', 'integer', (c) => c.notNull().references('policies.id'))
    .addColumn('calendar_id', 'integer', (c) => c.references('calendars.id'))
    .addColumn('vip', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('vip_policy_id', 'integer', (c) => c.references('policies.id'))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('health', 'text', (c) => c.notNull().defaultTo('ok'))
    .addColumn('health_detail', 'text')
    .addColumn('last_polled_at', 'timestamptz')
    .addColumn('last_brand_tweet_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Usernames on X are case-insensitive.
  await sql`create unique index handles_handle_lower on handles (lower(handle))`.execute(db);

  await db.schema
    .createTable('tweets')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('author_username', 'text')
    .addColumn('author_name', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('in_reply_to_tweet_id', 'bigint')
    .addColumn('in_reply_to_user_id', 'text')
    .addColumn('conversation_id', 'bigint')
    .addColumn('mentions', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('edit_history', sql`bigint[]`)
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('raw', 'jsonb')
    .addColumn('ingested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('tweets_in_reply_to').on('tweets').column('in_reply_to_tweet_id').execute();
  await db.schema.createIndex('tweets_conversation').on('tweets').column('conversation_id').execute();

  // Which watched handle a tweet belongs to (a tweet mentioning two watched handles belongs to both).
  // `seq` orders the work of the analyzer: it reads rows past its cursor, per handle.
  await db.schema
    .createTable('tweet_handles')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('handle_id', 'integer', (c) => c.notNull().references('handles.id').onDelete('cascade'))
    .addColumn('tweet_id', 'bigint', (c) => c.notNull().references('tweets.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addUniqueConstraint('tweet_handles_unique', ['handle_id', 'tweet_id'])
    .execute();
  await db.schema.createIndex('tweet_handles_handle_seq').on('tweet_handles').columns(['handle_id', 'seq']).execute();

  // Deleted, protected or withheld posts reported in `errors[]` of a 200 response.
  await db.schema
    .createTable('tweet_errors')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('handle_id', 'integer', (c) => c.references('handles.id').onDelete('cascade'))
    .addColumn('resource_id', 'text')
    .addColumn('type', 'text')
    .addColumn('title', 'text')
    .addColumn('detail', 'text')
    .addColumn('raw', 'jsonb')
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('tweet_errors_unique', ['handle_id', 'resource_id', 'type'])
    .execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('case_key', 'text', (c) => c.notNull().unique())
    .addColumn('handle_id', 'integer', (c) => c.notNull().references('handles.id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('customer_username', 'text')
    .addColumn('opening_tweet_id', 'bigint', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('close_reason', 'text')
    .addColumn('first_customer_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_customer_at', 'timestamptz', (c) => c.notNull())
    .addColumn('first_brand_at', 'timestamptz')
    .addColumn('last_brand_at', 'timestamptz')
    .addColumn('awaiting_since', 'timestamptz')
    .addColumn('first_response_seconds', 'double precision')
    .addColumn('first_response_business_seconds', 'double precision')
    .addColumn('next_response_seconds', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('next_response_business_seconds', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('customer_tweets', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('brand_replies', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('nudges', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('complaint_score', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('flags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('summary', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('cases_handle_state').on('cases').columns(['handle_id', 'state', 'awaiting_since']).execute();
  await db.schema.createIndex('cases_handle_customer').on('cases').columns(['handle_id', 'customer_id', 'state']).execute();
  await db.schema.createIndex('cases_opened').on('cases').columns(['opened_at', 'id']).execute();

  // One classification per tweet and handle, with the reasons that produced it.
  await db.schema
    .createTable('tweet_classifications')
    .addColumn('tweet_id', 'bigint', (c) => c.notNull().references('tweets.id').onDelete('cascade'))
    .addColumn('handle_id', 'integer', (c) => c.notNull().references('handles.id').onDelete('cascade'))
    .addColumn('case_id', 'bigint', (c) => c.references('cases.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('kind', 'text')
    .addColumn('complaint_score', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('flags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('reasons', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('classified_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('tweet_classifications_pk', ['tweet_id', 'handle_id'])
    .execute();
  await db.schema.createIndex('tweet_classifications_case').on('tweet_classifications').column('case_id').execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('handle_id', 'integer', (c) => c.references('handles.id').onDelete('cascade'))
    .addColumn('team_id', 'integer', (c) => c.references('teams.id'))
    .addColumn('case_id', 'bigint', (c) => c.references('cases.id').onDelete('set null'))
    .addColumn('tweet_id', 'bigint')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('reasons', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('due_at', 'timestamptz')
    .addColumn('raised_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('acknowledged_by', 'text')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'text')
    .addColumn('resolution', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('alerts_raised').on('alerts').columns(['raised_at', 'id']).execute();
  await db.schema.createIndex('alerts_team_raised').on('alerts').columns(['team_id', 'raised_at', 'id']).execute();
  await db.schema.createIndex('alerts_case').on('alerts').column('case_id').execute();

  // The breach event log: one row a missed target, stamped with its due time.
  await db.schema
    .createTable('breaches')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('case_id', 'bigint', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('handle_id', 'integer', (c) => c.notNull().references('handles.id').onDelete('cascade'))
    .addColumn('team_id', 'integer', (c) => c.references('teams.id'))
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('clock', 'text', (c) => c.notNull())
    .addColumn('target_seconds', 'double precision', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz')
    .addColumn('actual_seconds', 'double precision')
    .addColumn('actual_business_seconds', 'double precision')
    .addColumn('over_by_seconds', 'double precision')
    .addColumn('alert_id', 'bigint', (c) => c.references('alerts.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('breaches_unique', ['case_id', 'metric', 'sequence'])
    .execute();
  await db.schema.createIndex('breaches_due').on('breaches').columns(['due_at', 'id']).execute();
  await db.schema.createIndex('breaches_handle_due').on('breaches').columns(['handle_id', 'due_at']).execute();

  await db.schema
    .createTable('channels')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    // Settings may hold `${ENV}` references; secrets are resolved at send time, never stored.
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('routes')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('delivery_id', 'uuid', (c) => c.notNull().unique().defaultTo(sql`gen_random_uuid()`))
    .addColumn('alert_id', 'bigint', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('digest_id', 'uuid')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('deliveries_alert_channel', ['alert_id', 'channel', 'level'])
    .execute();
  await db.schema.createIndex('deliveries_state').on('deliveries').columns(['state', 'next_attempt_at']).execute();

  await db.schema
    .createTable('cursors')
    .addColumn('handle_id', 'integer', (c) => c.notNull().references('handles.id').onDelete('cascade'))
    .addColumn('timeline', 'text', (c) => c.notNull())
    .addColumn('position', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('cursors_pk', ['handle_id', 'timeline'])
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('team_id', 'integer', (c) => c.references('teams.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['api_tokens', 'cursors', 'deliveries', 'routes', 'channels', 'breaches', 'alerts', 'tweet_classifications', 'cases', 'tweet_errors', 'tweet_handles', 'tweets', 'handles', 'teams', 'policies', 'calendars']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
