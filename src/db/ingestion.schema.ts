// Owns the typed shape of the ingestion tables of migration 0002 (kept apart from schema.ts so the poller's tables evolve with it).
import type { ColumnType, Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type BigCount = ColumnType<string, string | number | bigint | undefined, string | number | bigint>;

export interface XRateLimitsTable {
  endpoint: string;
  limit: number;
  remaining: number;
  reset_at: Timestamp;
  updated_at: DefaultTimestamp;
}

export interface XReadUsageTable {
  month: string;
  reads: BigCount;
  requests: BigCount;
  updated_at: DefaultTimestamp;
}

export interface XPollStateTable {
  handle_id: number;
  activity: ColumnType<number, number | undefined, number>;
  last_new_tweets: ColumnType<number, number | undefined, number>;
  next_poll_at: Timestamp | null;
  failures: ColumnType<number, number | undefined, number>;
  updated_at: DefaultTimestamp;
}

export type IngestionTables = {
  x_rate_limits: XRateLimitsTable;
  x_read_usage: XReadUsageTable;
  x_poll_state: XPollStateTable;
};

export type IngestionDb = Kysely<Database & IngestionTables>;

/** The same connection, seen with the ingestion tables too. */
export function ingestionDb(db: Kysely<Database>): IngestionDb {
  return db.withTables<IngestionTables>() as unknown as IngestionDb;
}
