// Owns the pure mapping of X API v2 post payloads (data + includes.users) to the domain Tweet.
import type { Tweet } from './types.ts';

/** A post as X API v2 returns it with the fields we ask for. */
export interface XPost {
  id: string;
  text: string;
  author_id?: string;
  created_at?: string;
  conversation_id?: string;
  in_reply_to_user_id?: string;
  referenced_tweets?: { type: 'replied_to' | 'quoted' | 'retweeted'; id: string }[];
  entities?: { mentions?: { start?: number; end?: number; username: string; id?: string }[] };
  /** Oldest first; the last one is the id of the latest version. */
  edit_history_tweet_ids?: string[];
}

export interface XUser {
  id: string;
  username: string;
  name?: string;
}

/** One problem object of an `errors[]` array (partial errors in a 200 response). */
export interface XProblem {
  type?: string;
  title?: string;
  detail?: string;
  value?: string;
  resource_id?: string;
  resource_type?: string;
  parameter?: string;
}

/** The body of a timeline or search page. */
export interface XPage {
  data?: XPost[];
  includes?: { users?: XUser[]; tweets?: XPost[] };
  errors?: XProblem[];
  meta?: { result_count?: number; newest_id?: string; oldest_id?: string; next_token?: string };
}

/** A normalised tweet plus what we keep beside it: the full edit history and the raw payload. */
export interface TweetRecord {
  tweet: Tweet;
  /** Ids of every version, oldest first; undefined when the source has no edit history (TWCS). */
  editHistory?: string[];
  raw?: unknown;
}

/**
 * Maps one page to records. An edited post keeps the id of its first version, so every version
 * lands on one row (and one case) and the latest text wins.
 */
export function mapXPage(page: XPage, watchedUserId: string): TweetRecord[] {
  const users = new Map((page.includes?.users ?? []).map((u) => [u.id, u]));
  return (page.data ?? []).map((post) => mapXPost(post, users.get(post.author_id ?? ''), watchedUserId));
}

export function mapXPost(post: XPost, author: XUser | undefined, watchedUserId: string): TweetRecord {
  const history = post.edit_history_tweet_ids?.length ? post.edit_history_tweet_ids : [post.id];
  const replyTo = post.referenced_tweets?.find((r) => r.type === 'replied_to')?.id;
  const authorId = post.author_id ?? author?.id ?? '';
  const tweet: Tweet = {
    id: history[0],
    authorId,
    authorUsername: author?.username,
    authorName: author?.name,
    text: post.text,
    // A post without created_at would be a server bug; epoch keeps it visible instead of "now".
    createdAt: new Date(post.created_at ?? 0),
    inReplyToTweetId: replyTo,
    inReplyToUserId: post.in_reply_to_user_id,
    conversationId: post.conversation_id,
    mentions: (post.entities?.mentions ?? []).map((m) => m.username),
    isBrand: authorId === watchedUserId,
  };
  return { tweet, editHistory: history, raw: { data: post, author: author ?? null } };
}

/** Compares decimal id strings of any length (X ids exceed 2^53). */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxId(ids: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const id of ids) if (best === undefined || compareIds(id, best) > 0) best = id;
  return best;
}
