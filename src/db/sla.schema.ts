// Owns the typed shape of the SLA engine's additions of migration 0004 (case wait columns, handle activity buckets).
import type { ColumnType, Kysely } from 'kysely';
import type { CasesTable, Database, TweetClassificationsTable } from './schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Count = ColumnType<number, number | undefined, number>;

export interface SlaCaseColumns {
  team_id: number | null;
  policy_name: string | null;
  tier: ColumnType<string, string | undefined, string>;
  wait_metric: string | null;
  wait_seq: ColumnType<number, number | undefined, number>;
  next_due_at: Timestamp | null;
}

export interface HandleActivityTable {
  handle_id: number;
  bucket: Timestamp;
  customer_tweets: Count;
  brand_tweets: Count;
  cases_opened: Count;
}

export type SlaDatabase = Omit<Database, 'cases' | 'tweet_classifications'> & {
  cases: CasesTable & SlaCaseColumns;
  tweet_classifications: TweetClassificationsTable & { customer_id: string | null };
  handle_activity: HandleActivityTable;
};

export type SlaDb = Kysely<SlaDatabase>;

/** The same connection (or transaction), seen with the SLA columns and tables too. */
export function slaDb(db: Kysely<Database>): SlaDb {
  return db as unknown as SlaDb;
}
