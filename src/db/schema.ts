// Owns the typed shape of every table, as Kysely sees it. Mirrors db/migrations.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** bigint columns come back from pg as strings (64-bit ids do not fit a JS number). */
type BigId = ColumnType<string, string | number | bigint, string | number | bigint>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a database default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | T, string | T>;

export interface CalendarsTable {
  id: Generated<number>;
  name: string;
  timezone: string;
  hours: Json<Record<string, string[]>>;
  holidays: Json<string[]>;
  updated_at: DefaultTimestamp;
}

export interface PoliciesTable {
  id: Generated<number>;
  name: string;
  settings: Json<Record<string, unknown>>;
  updated_at: DefaultTimestamp;
}

export interface TeamsTable {
  id: Generated<number>;
  name: string;
  calendar_id: number | null;
  policy_id: number | null;
  updated_at: DefaultTimestamp;
}

export interface HandlesTable {
  id: Generated<number>;
  handle: string;
  x_user_id: string | null;
  team_id: number;
  policy_id: number;
  calendar_id: number | null;
  vip: Json<string[]>;
  vip_policy_id: number | null;
  active: Generated<boolean>;
  health: Generated<string>;
  health_detail: string | null;
  last_polled_at: Timestamp | null;
  last_brand_tweet_at: Timestamp | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface TweetsTable {
  id: BigId;
  author_id: string;
  author_username: string | null;
  author_name: string | null;
  text: string;
  created_at: Timestamp;
  in_reply_to_tweet_id: BigId | null;
  in_reply_to_user_id: string | null;
  conversation_id: BigId | null;
  mentions: Generated<string[]>;
  edit_history: string[] | null;
  source: string;
  raw: Json<unknown> | null;
  ingested_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface TweetHandlesTable {
  handle_id: number;
  tweet_id: BigId;
  /** 'customer' or 'brand', from the handle's point of view. */
  role: string;
  /** The tweet's created_at, copied so the analyzer's queue is read in time order from one index. */
  created_at: Date;
  /** When the link was stored (the database's clock): how long it has waited for the analyzer's watermark. */
  queued_at: ColumnType<Date, Date | undefined, Date>;
  /** Set by the analyzer in the transaction that applied the tweet to its case. */
  analyzed: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface TweetErrorsTable {
  id: ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
  handle_id: number | null;
  resource_id: string | null;
  type: string | null;
  title: string | null;
  detail: string | null;
  raw: Json<unknown> | null;
  seen_at: DefaultTimestamp;
}

export interface CasesTable {
  id: ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
  case_key: string;
  handle_id: number;
  customer_id: string;
  customer_username: string | null;
  opening_tweet_id: BigId;
  opened_at: Timestamp;
  state: Generated<string>;
  closed_at: Timestamp | null;
  close_reason: string | null;
  first_customer_at: Timestamp;
  last_customer_at: Timestamp;
  first_brand_at: Timestamp | null;
  last_brand_at: Timestamp | null;
  awaiting_since: Timestamp | null;
  first_response_seconds: number | null;
  first_response_business_seconds: number | null;
  next_response_seconds: Json<number[]>;
  next_response_business_seconds: Json<number[]>;
  customer_tweets: Generated<number>;
  brand_replies: Generated<number>;
  nudges: Generated<number>;
  complaint_score: Generated<number>;
  flags: Generated<string[]>;
  summary: Json<Record<string, unknown>>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface TweetClassificationsTable {
  tweet_id: BigId;
  handle_id: number;
  case_id: BigId | null;
  role: string;
  kind: string | null;
  complaint_score: Generated<number>;
  flags: Generated<string[]>;
  reasons: Json<string[]>;
  classified_at: DefaultTimestamp;
}

export interface AlertsTable {
  id: ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
  dedup_key: string;
  kind: string;
  severity: string;
  state: Generated<string>;
  handle_id: number | null;
  team_id: number | null;
  case_id: BigId | null;
  tweet_id: BigId | null;
  title: string;
  reasons: Json<string[]>;
  details: Json<Record<string, unknown>>;
  due_at: Timestamp | null;
  raised_at: DefaultTimestamp;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  resolution: string | null;
  updated_at: DefaultTimestamp;
}

export interface BreachesTable {
  id: ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
  case_id: BigId;
  handle_id: number;
  team_id: number | null;
  /** 'first_response' or 'next_response'. */
  metric: string;
  /** 0 for the first response; n for the n-th next response. */
  sequence: Generated<number>;
  policy: string;
  clock: string;
  target_seconds: number;
  started_at: Timestamp;
  due_at: Timestamp;
  answered_at: Timestamp | null;
  actual_seconds: number | null;
  actual_business_seconds: number | null;
  over_by_seconds: number | null;
  alert_id: BigId | null;
  created_at: DefaultTimestamp;
}

export interface ChannelsTable {
  id: Generated<number>;
  name: string;
  type: string;
  settings: Json<Record<string, unknown>>;
  updated_at: DefaultTimestamp;
}

export interface RoutesTable {
  id: Generated<number>;
  name: string;
  settings: Json<Record<string, unknown>>;
  updated_at: DefaultTimestamp;
}

export interface DeliveriesTable {
  id: ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
  delivery_id: Generated<string>;
  alert_id: BigId;
  channel: string;
  /** 0 for the route's channels, 1.. for escalation steps. */
  level: Generated<number>;
  /** pending | ready | sending | sent | held | digest | digested | dead | cancelled (acknowledged or resolved before it was sent) */
  state: Generated<string>;
  attempts: Generated<number>;
  last_error: string | null;
  next_attempt_at: DefaultTimestamp;
  digest_id: string | null;
  sent_at: Timestamp | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface CursorsTable {
  handle_id: number;
  /** 'mentions', 'tweets', 'search' or 'analyzer'. */
  timeline: string;
  position: string;
  updated_at: DefaultTimestamp;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  /** read | write | admin */
  scope: string;
  team_id: number | null;
  created_at: DefaultTimestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface Database {
  calendars: CalendarsTable;
  policies: PoliciesTable;
  teams: TeamsTable;
  handles: HandlesTable;
  tweets: TweetsTable;
  tweet_handles: TweetHandlesTable;
  tweet_errors: TweetErrorsTable;
  cases: CasesTable;
  tweet_classifications: TweetClassificationsTable;
  alerts: AlertsTable;
  breaches: BreachesTable;
  channels: ChannelsTable;
  routes: RoutesTable;
  deliveries: DeliveriesTable;
  cursors: CursorsTable;
  api_tokens: ApiTokensTable;
}

export type HandleRow = Selectable<HandlesTable>;
export type TweetRow = Selectable<TweetsTable>;
export type NewTweetRow = Insertable<TweetsTable>;
export type CaseRow = Selectable<CasesTable>;
export type NewCaseRow = Insertable<CasesTable>;
export type CaseUpdate = Updateable<CasesTable>;
export type AlertRow = Selectable<AlertsTable>;
export type NewAlertRow = Insertable<AlertsTable>;
export type BreachRow = Selectable<BreachesTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
