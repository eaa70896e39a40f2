// Owns generating a synthetic support corpus of any size from a CorpusModel: deterministic for a seed, in time order, bounded memory.
import type { ConversationTemplate, CorpusModel, TextPart } from './corpus-model.ts';

export interface GeneratedTweet {
  /** Snowflake-style decimal id: time-ordered like X ids, so `since_id` semantics hold. */
  id: string;
  /** The handle for brand tweets, a numeric customer id otherwise. */
  authorId: string;
  isBrand: boolean;
  /** The watched handle this conversation belongs to. */
  handle: string;
  createdAtMs: number;
  text: string;
  inReplyToId?: string;
  /** Author of the tweet replied to (handle or customer id). */
  inReplyToAuthor?: string;
  /** Ids of the generated tweets that reply to this one (TWCS `response_tweet_id`). */
  responseIds: string[];
  /** Id of the conversation's opening tweet (X `conversation_id`). */
  conversationId: string;
}

export interface GeneratedHandle {
  handle: string;
  /** The real brand whose conversations this handle replays. */
  source: string;
  /** Numeric X user id for the handle (X API payloads need one). */
  userId: string;
}

export interface GenerateOptions {
  tweets: number;
  handles: number;
  seed: number;
  startMs: number;
  /** Length of the period the conversations open in. */
  spanMs: number;
  /** Spread of the per-conversation time scale (log-normal sigma); 0 replays the real latencies exactly. */
  jitter?: number;
  /**
   * Open conversations at an even rate instead of following the corpus's hour-of-week profile: a test whose window
   * ends at the real clock then gets the same volume whatever hour it runs.
   */
  uniform?: boolean;
}

/** Small fast deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** X's snowflake epoch (2010-11-04); ids are (ms since it) << 22 | sequence. */
const SNOWFLAKE_EPOCH = 1288834974657n;
const SEQ_BITS = 22n;
const SEQ_MASK = (1 << 22) - 1;

export function snowflake(ms: number, seq: number): string {
  return (((BigInt(ms) - SNOWFLAKE_EPOCH) << SEQ_BITS) | BigInt(seq & SEQ_MASK)).toString();
}

/** The handles a run writes: the top brands by volume, then numbered copies of them when more are asked for. */
export function planHandles(model: CorpusModel, count: number): GeneratedHandle[] {
  const out: GeneratedHandle[] = [];
  const n = model.brands.length;
  for (let i = 0; i < count; i++) {
    const src = model.brands[i % n]!.brand;
    const copy = Math.floor(i / n);
    out.push({ handle: copy === 0 ? src : `${src.slice(0, 40)}_${copy}`, source: src, userId: String(9_000_000_000 + i) });
  }
  return out;
}

function fill(parts: TextPart[], handle: string, customers: string[]): string {
  if (parts.length === 1 && typeof parts[0] === 'string') return parts[0];
  let s = '';
  for (const p of parts) s += typeof p === 'string' ? p : p.slot === 'brand' ? handle : customers[p.index]!;
  return s;
}

/** Binary min-heap of tweets by (time, id order), so output is chronological whatever the conversations' spans. */
class TweetHeap {
  private items: { t: GeneratedTweet; k: number }[] = [];
  get size() {
    return this.items.length;
  }
  peek() {
    return this.items[0]?.t;
  }
  push(t: GeneratedTweet, k: number) {
    const a = this.items;
    a.push({ t, k });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[p]!, a[i]!)) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): GeneratedTweet | undefined {
    const a = this.items;
    if (!a.length) return undefined;
    const top = a[0]!.t;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
  private less(x: { t: GeneratedTweet; k: number }, y: { t: GeneratedTweet; k: number }) {
    return x.t.createdAtMs < y.t.createdAtMs || (x.t.createdAtMs === y.t.createdAtMs && x.k < y.k);
  }
}

/**
 * Yields exactly `opts.tweets` tweets in time order. Each conversation is a real one of the handle's source brand,
 * picked uniformly (so reply times follow that brand's empirical distribution and conversation shapes, nudges
 * included, are kept), scaled by a log-normal factor with median 1, with fresh ids and customers. Conversations open
 * following the corpus's hour-of-week profile. Memory holds only conversations still in progress.
 */
export function* generateCorpus(model: CorpusModel, opts: GenerateOptions): Generator<GeneratedTweet> {
  if (!model.brands.length) throw new Error('the corpus model has no conversations to generate from');
  const rand = rng(opts.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const jitter = opts.jitter ?? 0.1;
  const handles = planHandles(model, opts.handles);
  const profiles = new Map(model.brands.map((b) => [b.brand, b]));
  // Handles are picked in proportion to their source brand's conversation count (cumulative weights).
  const cum: number[] = [];
  let total = 0;
  for (const h of handles) cum.push((total += profiles.get(h.source)!.templates.length));
  const meanLen = handles.reduce((s, h) => s + profiles.get(h.source)!.tweets, 0) / total;
  const conversations = Math.max(1, opts.tweets / meanLen);
  const hw = model.hourOfWeek;
  const hwMean = hw.reduce((a, b) => a + b, 0) / hw.length;
  const baseGap = opts.spanMs / conversations;
  const recent: string[] = []; // recent customers, some of whom come back
  let nextCustomer = 10_000_000;
  let seq = 0;
  let k = 0;
  let made = 0;
  let emitted = 0;
  let t = opts.startMs;
  const heap = new TweetHeap();

  while (made < opts.tweets) {
    const r = rand() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    const handle = handles[lo]!;
    const profile = profiles.get(handle.source)!;
    const tpl: ConversationTemplate = profile.templates[Math.floor(rand() * profile.templates.length)]!;
    const customers: string[] = [];
    for (let c = 0; c < tpl.customers; c++) {
      const back = c === 0 && recent.length > 0 && rand() < model.repeatCustomerShare;
      customers.push(back ? recent[Math.floor(rand() * recent.length)]! : String(nextCustomer++));
    }
    recent.push(customers[0] ?? String(nextCustomer++));
    if (recent.length > 10_000) recent.splice(0, 5_000);
    const scale = jitter > 0 ? Math.exp(jitter * gauss()) : 1;
    const n = Math.min(tpl.tweets.length, opts.tweets - made); // the last conversation is cut to land on exactly N
    const out: GeneratedTweet[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const tt = tpl.tweets[i]!;
      // Whole seconds, as TWCS writes them, so both output formats carry the same times.
      const at = Math.round((t + tt.offsetMs * scale) / 1000) * 1000;
      const author = tt.author === -1 ? handle.handle : customers[tt.author]!;
      const parent = tt.parent >= 0 ? out[tt.parent] : undefined;
      const tweet: GeneratedTweet = {
        id: snowflake(at, seq++),
        authorId: author,
        isBrand: tt.author === -1,
        handle: handle.handle,
        createdAtMs: at,
        text: fill(tt.text, handle.handle, customers),
        responseIds: [],
        conversationId: '',
      };
      if (parent) {
        tweet.inReplyToId = parent.id;
        tweet.inReplyToAuthor = parent.authorId;
        parent.responseIds.push(tweet.id);
      }
      tweet.conversationId = out[0]?.id ?? tweet.id;
      out[i] = tweet;
    }
    made += n;
    // Release everything that happens before this conversation opens; later conversations cannot precede it.
    while (heap.size && heap.peek()!.createdAtMs <= t) {
      emitted++;
      yield heap.pop()!;
    }
    for (const tw of out) heap.push(tw, k++);
    const intensity = opts.uniform ? 1 : hw[((new Date(t).getUTCDay() + 6) % 7) * 24 + new Date(t).getUTCHours()]! / hwMean;
    t += (baseGap / intensity) * -Math.log(1 - rand());
  }
  while (heap.size) {
    emitted++;
    yield heap.pop()!;
  }
  if (emitted !== opts.tweets) throw new Error(`generator emitted ${emitted} tweets, expected ${opts.tweets}`);
}
