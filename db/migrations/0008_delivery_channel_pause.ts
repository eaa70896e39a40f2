// Lets a channel be paused: a 429 or 503 from Slack or a webhook holds every send queued for that channel, not just the one that got it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // paused_until: no message leaves for the channel before this (Retry-After, or backoff on consecutive failures).
  // pause_failures: consecutive pausing failures; above zero the channel is recovering, and the first send after the
  // pause goes alone (a probe) while the others wait for its answer.
  // pause_reason: the last pausing answer, for operators (`replywatch alerts channels`).
  await db.schema
    .alterTable('channel_state')
    .addColumn('paused_until', 'timestamptz')
    .addColumn('pause_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pause_reason', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('channel_state').dropColumn('paused_until').dropColumn('pause_failures').dropColumn('pause_reason').execute();
}
