// Owns the domain's shared types: the normalised tweet, classifications, cases and policies. No I/O here.

/** One tweet, whether it came from the X API v2 or a TWCS row. */
export interface Tweet {
  /** Decimal string: X ids exceed 2^53. */
  id: string;
  authorId: string;
  authorUsername?: string;
  authorName?: string;
  text: string;
  createdAt: Date;
  inReplyToTweetId?: string;
  inReplyToUserId?: string;
  conversationId?: string;
  /** Usernames (without "@", as written) or numeric ids mentioned in the text or entities. */
  mentions: string[];
  /** Ids of the tweets that reply to this one, when the source knows them (TWCS `response_tweet_id`). */
  responseTweetIds?: string[];
  /** True when the author is a watched brand handle (TWCS `inbound == False`). */
  isBrand: boolean;
}

export const REPLY_KINDS = [
  'resolution',
  'info_request',
  'dm_request',
  'callback_offer',
  'channel_redirect',
  'team_redirect',
  'link_only',
  'truncated',
  'acknowledgement',
  'broadcast',
  'other',
] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

/** Kinds that push the customer elsewhere instead of helping; `dm_request` is added by policy. */
export const DEFLECTING_KINDS: readonly ReplyKind[] = ['channel_redirect', 'team_redirect', 'link_only', 'truncated'];

export const CUSTOMER_FLAGS = ['complaint', 'question', 'nudge', 'churn_threat', 'escalation', 'thanks'] as const;
export type CustomerFlag = (typeof CUSTOMER_FLAGS)[number];

export const PERSONALITY_FLAGS = ['signed', 'uses_name', 'empathy', 'canned'] as const;
export type PersonalityFlag = (typeof PERSONALITY_FLAGS)[number];

/** A brand reply's classification. `reasons` name what matched, so a person can disagree. */
export interface ReplyClassification {
  kind: ReplyKind;
  personality: PersonalityFlag[];
  reasons: string[];
}

/** A customer tweet's classification. */
export interface CustomerClassification {
  flags: CustomerFlag[];
  /** 0..1; `complaint` is in flags when the score passes the threshold. */
  complaintScore: number;
  reasons: string[];
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface Calendar {
  name: string;
  timezone: string;
  /** "HH:MM-HH:MM" windows per weekday; an end before the start runs past midnight. */
  hours: Partial<Record<Weekday, string[]>>;
  /** YYYY-MM-DD dates in the calendar's zone. */
  holidays: string[];
}

export interface Policy {
  name: string;
  firstResponseMinutes: number;
  nextResponseMinutes: number;
  clock: 'business' | 'wall';
  warnRatios: number[];
  dmCountsAsDeflection: boolean;
  /** The deflection model may overrule the rules' answer-like kinds (see classify/deflection-model.ts). */
  deflectionModel: boolean;
  countAutomatedReplies: boolean;
  automatedPatterns: string[];
  unansweredHorizonMinutes: number;
  quietCloseHours: number;
  silentAfterMinutes: number;
  /** `surge` thresholds: customer tweets in the window, and times the usual level for that hour of the week. */
  surgeMinMentions: number;
  surgeFactor: number;
}
