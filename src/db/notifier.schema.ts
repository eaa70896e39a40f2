// Owns the Kysely shape of the notifier's tables and columns (migrations 0003 and 0008), merged into Database with withTables.
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type NotifierTables = {
  channel_state: {
    channel: string;
    next_send_at: DefaultTimestamp;
    /** When a message last left for this channel; no two leave closer than the channel interval. */
    last_send_at: Timestamp | null;
    window_start: Timestamp | null;
    window_count: Generated<number>;
    /** No message leaves for this channel before this (migration 0008): a 429/503, or a probe waiting for its answer. */
    paused_until: Timestamp | null;
    /** Consecutive pausing failures; above zero the next send is a probe that goes alone. */
    pause_failures: Generated<number>;
    /** What paused it, for operators. */
    pause_reason: string | null;
    updated_at: DefaultTimestamp;
  };
  digests: {
    id: Generated<string>;
    channel: string;
    /** 'burst' or 'quiet_hours' */
    reason: string;
    /** pending | sending | sent | dead | cancelled (every alert in it acknowledged or resolved before it went out) */
    state: Generated<string>;
    attempts: Generated<number>;
    alert_count: Generated<number>;
    last_error: string | null;
    next_attempt_at: DefaultTimestamp;
    sent_at: Timestamp | null;
    created_at: DefaultTimestamp;
    updated_at: DefaultTimestamp;
  };
  delivery_attempts: {
    id: ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
    delivery_id: string;
    attempt: number;
    started_at: DefaultTimestamp;
    /** sent | resent | failed | rate_limited | refused */
    outcome: string;
    status: number | null;
    error: string | null;
  };
  alerts: { escalated_at: Timestamp | null; escalation_level: Generated<number>; reopened_count: Generated<number> };
  deliveries: { route: string | null };
};

export type NotifierDb = Kysely<Database & NotifierTables>;

export function notifierDb(db: Kysely<Database>): NotifierDb {
  return db.withTables<NotifierTables>() as unknown as NotifierDb;
}
