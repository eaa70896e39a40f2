// Owns routing: which watched handle(s) and which customer a tweet belongs to, before it is threaded into a case.
import type { Tweet } from './types.ts';

/** What routing needs to know about the tweet being replied to (looked up by the caller: memory map or database). */
export interface ParentInfo {
  authorId: string;
  isBrand: boolean;
  /** Handles the parent was routed to (for a customer parent). */
  handles: readonly string[];
  /** The customer the parent belongs to (for a brand parent: the customer it answered). */
  customerId?: string;
}

export interface RoutingContext {
  /** Canonical handle for an author id or a mentioned name, when it is watched (case-insensitive); undefined otherwise. */
  watched(nameOrId: string): string | undefined;
  /** The tweet this one replies to, when known. */
  parent?: ParentInfo;
  /** The first tweet of the X conversation (`conversation_id`), used when the parent itself is unknown. */
  conversationRoot?: ParentInfo;
  /**
   * Watched handles that wrote one of this tweet's replies, when the source knows them ahead of time (TWCS
   * `response_tweet_id`, resolved by the caller from an id -> brand index). Lets an opener that names the brand only
   * by a numeric id still open a case with the brand that answered it.
   */
  responders?: readonly string[];
}

/** The fields of a tweet that routing reads. */
export type RoutedTweet = Pick<Tweet, 'isBrand' | 'authorId' | 'authorUsername' | 'inReplyToUserId' | 'mentions'>;

export interface Route {
  handle: string;
  customerId: string;
  role: 'customer' | 'brand';
}

const NUMERIC = /^\d+$/;

function add(out: Route[], handle: string | undefined, customerId: string, role: Route['role']) {
  if (handle && !out.some((r) => r.handle === handle)) out.push({ handle, customerId, role });
}

/**
 * Routes one tweet. A brand tweet belongs to its author's handle and to the customer it answers (parent's customer,
 * X `in_reply_to_user_id`, or the first non-brand mention). A customer tweet belongs to:
 *  - the brand it replies to; or the handles of its own earlier tweet it continues;
 *  - every watched handle it mentions or replies to by user id (one case per brand);
 *  - every watched handle that answered it (TWCS lookahead).
 * Returns [] for tweets that belong to no case (a brand broadcast, a customer talking to nobody we watch).
 */
export function routeTweet(tweet: RoutedTweet, ctx: RoutingContext): Route[] {
  const out: Route[] = [];
  const parent = ctx.parent ?? ctx.conversationRoot;
  if (tweet.isBrand) {
    const handle = ctx.watched(tweet.authorUsername ?? tweet.authorId) ?? ctx.watched(tweet.authorId);
    if (!handle) return out;
    let customer: string | undefined;
    if (parent) customer = parent.isBrand ? parent.customerId : parent.authorId;
    if (!customer && tweet.inReplyToUserId && !ctx.watched(tweet.inReplyToUserId)) customer = tweet.inReplyToUserId;
    if (!customer) {
      for (const m of tweet.mentions) {
        if (!ctx.watched(m)) {
          customer = m;
          break;
        }
      }
    }
    if (customer) add(out, handle, customer, 'brand');
    return out;
  }
  const me = tweet.authorId;
  if (parent) {
    if (parent.isBrand) add(out, ctx.watched(parent.authorId), me, 'customer');
    else if (parent.authorId === me) for (const h of parent.handles) add(out, h, me, 'customer');
  }
  if (tweet.inReplyToUserId) add(out, ctx.watched(tweet.inReplyToUserId), me, 'customer');
  for (const m of tweet.mentions) {
    // TWCS replaces most @mentions by numeric user ids; a numeric mention only counts when the caller watches that id.
    if (NUMERIC.test(m) && m === me) continue;
    add(out, ctx.watched(m), me, 'customer');
  }
  if (ctx.responders) for (const h of ctx.responders) add(out, h, me, 'customer');
  return out;
}

/** A case-insensitive `watched` lookup over a list of handles (and optional numeric user ids mapped to handles). */
export function watchList(handles: Iterable<string>, userIds: Record<string, string> = {}): (nameOrId: string) => string | undefined {
  const map = new Map<string, string>();
  for (const h of handles) map.set(h.toLowerCase(), h);
  for (const [id, h] of Object.entries(userIds)) map.set(id, h);
  return (n) => map.get(n.toLowerCase());
}
