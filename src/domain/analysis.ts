// Owns the per-tweet analysis step (classify with case context, then thread) and the in-memory case book that drives it in batch.
import type { CompiledCalendar } from './calendar.ts';
import { applyTweet, closeIfQuiet, type ApplyResult, type CaseState } from './cases.ts';
import { CannedDetector, classifyCustomer, classifyReply } from './classify/index.ts';
import { routeTweet, type ParentInfo, type Route } from './routing.ts';
import type { CustomerClassification, Policy, ReplyClassification, Tweet } from './types.ts';

export interface HandleSetup {
  handle: string;
  policy: Policy;
  calendar: CompiledCalendar;
}

export interface StepResult extends ApplyResult {
  reply?: ReplyClassification;
  customer?: CustomerClassification;
}

/**
 * The one step both `replywatch analyze` and the analyzer worker run per routed tweet: classify it with the context the
 * case gives (is the customer already waiting? is this reply a copy sent to many?), then apply it to the case.
 * `state` is the latest case of (route.handle, route.customerId), open or closed, or undefined.
 */
export function stepTweet(state: CaseState | undefined, tweet: Tweet, route: Route, setup: HandleSetup, canned: CannedDetector): StepResult {
  let reply: ReplyClassification | undefined;
  let customer: CustomerClassification | undefined;
  if (route.role === 'brand') {
    reply = classifyReply(tweet.text, { deflectionModel: setup.policy.deflectionModel });
    const cannedReason = canned.observeWithReason(route.handle, route.customerId, tweet.text);
    if (cannedReason && !reply.personality.includes('canned')) {
      reply = { ...reply, personality: [...reply.personality, 'canned'], reasons: [...reply.reasons, cannedReason] };
    }
  } else {
    const open = state !== undefined && state.state === 'open';
    customer = classifyCustomer(tweet.text, { awaitingReply: open && state.awaitingSince !== null, unansweredCount: open ? state.unansweredCount : 0 });
  }
  const res = applyTweet(state, tweet, { route, policy: setup.policy, calendar: setup.calendar, reply, customer }) as StepResult;
  res.reply = reply;
  res.customer = customer;
  return res;
}

/** Compares tweets by created_at, then numerically by id: the order the batch path threads in. */
export function compareTweets(a: Tweet, b: Tweet): number {
  const d = a.createdAt.getTime() - b.createdAt.getTime();
  if (d !== 0) return d;
  return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Tweet id -> watched handles that replied to it, from the brand tweets' reply links (TWCS lookahead for openers). */
export function buildResponderIndex(tweets: Iterable<Pick<Tweet, 'isBrand' | 'authorId' | 'inReplyToTweetId'>>, watched: (n: string) => string | undefined): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const t of tweets) {
    if (!t.isBrand || !t.inReplyToTweetId) continue;
    const h = watched(t.authorId);
    if (!h) continue;
    const list = index.get(t.inReplyToTweetId);
    if (!list) index.set(t.inReplyToTweetId, [h]);
    else if (!list.includes(h)) list.push(h);
  }
  return index;
}

export interface CaseStoreOptions {
  setup(handle: string): HandleSetup;
  /** Receives every case once it can change no more (replaced, swept or at finish). */
  onCase(state: CaseState): void;
  canned?: CannedDetector;
  /** Sweep finished cases out of memory every this many tweets (default 20,000). */
  sweepEvery?: number;
}

/**
 * Holds the latest case per (handle, customer) and steps routed tweets into it, in time order. Handles are independent
 * (cases, canned detection and policies are per handle), so one store per group of handles gives the same cases as one
 * store for all: that is how `analyze` spreads the work over threads.
 */
export class CaseStore {
  private readonly latest = new Map<string, CaseState>();
  private readonly canned: CannedDetector;
  private sinceSweep = 0;
  orphanReplies = 0;

  constructor(private readonly opts: CaseStoreOptions) {
    this.canned = opts.canned ?? new CannedDetector();
  }

  step(tweet: Tweet, route: Route): void {
    const key = route.handle + '\u0000' + route.customerId;
    const prev = this.latest.get(key);
    const res = stepTweet(prev, tweet, route, this.opts.setup(route.handle), this.canned);
    if (!res.state) this.orphanReplies++;
    else if (res.state !== prev) {
      if (prev) this.opts.onCase(prev);
      this.latest.set(key, res.state);
    }
    if (++this.sinceSweep >= (this.opts.sweepEvery ?? 20_000)) {
      this.sweep(tweet.createdAt.getTime());
      this.sinceSweep = 0;
    }
  }

  /** Emits cases that no later tweet can change any more as of `now` (the same decision `step` would take lazily). */
  private sweep(now: number) {
    for (const [key, c] of this.latest) {
      const policy = this.opts.setup(c.handle).policy;
      if (c.state === 'open') closeIfQuiet(c, now, policy);
      if (c.state === 'closed' && now >= (c.closedAt ?? 0) + (c.closeReason === 'quiet' ? 0 : policy.quietCloseHours * 3_600_000)) {
        this.opts.onCase(c);
        this.latest.delete(key);
      }
    }
  }

  /** Closes quiet cases as of `asOf` and emits every remaining case. */
  finish(asOf: number): void {
    for (const c of this.latest.values()) {
      if (c.state === 'open') closeIfQuiet(c, asOf, this.opts.setup(c.handle).policy);
      this.opts.onCase(c);
    }
    this.latest.clear();
  }
}

const NO_HANDLES: readonly string[] = [];

/** Routes a time-ordered stream of tweets, remembering a small record per tweet so replies find their parent's case. */
export class TweetRouter {
  private readonly parents = new Map<string, ParentInfo>();
  unrouted = 0;

  constructor(
    private readonly watched: (nameOrId: string) => string | undefined,
    private readonly responders?: ReadonlyMap<string, readonly string[]>,
  ) {}

  private readonly single = new Map<string, readonly string[]>();

  /** Shared arrays for the common one-handle case: one record per tweet is kept for the whole run. */
  private handlesOf(routes: Route[]): readonly string[] {
    if (routes.length === 0) return NO_HANDLES;
    if (routes.length > 1) return routes.map((r) => r.handle);
    let a = this.single.get(routes[0]!.handle);
    if (!a) this.single.set(routes[0]!.handle, (a = [routes[0]!.handle]));
    return a;
  }

  route(tweet: Tweet): Route[] {
    const parent = tweet.inReplyToTweetId ? this.parents.get(tweet.inReplyToTweetId) : undefined;
    const root = !parent && tweet.conversationId && tweet.conversationId !== tweet.id ? this.parents.get(tweet.conversationId) : undefined;
    const routes = routeTweet(tweet, { watched: this.watched, parent, conversationRoot: root, responders: this.responders?.get(tweet.id) });
    if (tweet.isBrand) {
      this.parents.set(tweet.id, { authorId: tweet.authorId, isBrand: true, handles: NO_HANDLES, customerId: routes[0]?.customerId ?? parent?.customerId });
    } else {
      this.parents.set(tweet.id, { authorId: tweet.authorId, isBrand: false, handles: this.handlesOf(routes) });
    }
    if (routes.length === 0) this.unrouted++;
    return routes;
  }
}

export interface CaseBookOptions extends CaseStoreOptions {
  watched(nameOrId: string): string | undefined;
  responders?: ReadonlyMap<string, readonly string[]>;
}

/** Routing plus one case store: the single-threaded batch path. */
export class CaseBook {
  private readonly router: TweetRouter;
  private readonly store: CaseStore;

  constructor(opts: CaseBookOptions) {
    this.router = new TweetRouter(opts.watched, opts.responders);
    this.store = new CaseStore(opts);
  }

  add(tweet: Tweet): void {
    for (const route of this.router.route(tweet)) this.store.step(tweet, route);
  }

  finish(asOf: number): void {
    this.store.finish(asOf);
  }

  get orphanReplies(): number {
    return this.store.orphanReplies;
  }

  get unrouted(): number {
    return this.router.unrouted;
  }
}
