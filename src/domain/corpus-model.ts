// Owns learning a generative model of a support corpus: per brand, its real conversations as templates (shape, relative times, texts with slots).
import type { Tweet } from './types.ts';

/** A piece of a template text: literal text, or a slot filled with the brand handle or a participant's id. */
export type TextPart = string | { slot: 'brand' } | { slot: 'customer'; index: number };

export interface TemplateTweet {
  /** Milliseconds after the conversation's first tweet; never before the parent's. */
  offsetMs: number;
  /** -1 for the brand, 0.. for the customers of the conversation in order of appearance. */
  author: number;
  /** Index of the tweet this one replies to inside the template, or -1 for the opener. */
  parent: number;
  text: TextPart[];
}

/** One real conversation (a customer-opened reply tree answered by one brand), tweets sorted by offset. */
export interface ConversationTemplate {
  brand: string;
  tweets: TemplateTweet[];
  customers: number;
  /** Offset of the first brand tweet, or undefined when the brand never answered. */
  firstResponseMs?: number;
}

export interface BrandProfile {
  brand: string;
  templates: ConversationTemplate[];
  tweets: number;
}

export interface CorpusModel {
  brands: BrandProfile[];
  /** Relative volume of conversation openers per hour of the week (0 = Monday 00:00 UTC), smoothed. */
  hourOfWeek: number[];
  /** Share of conversations whose customer had opened an earlier one (any brand). */
  repeatCustomerShare: number;
  stats: { tweets: number; templates: number; skippedMultiBrand: number; skippedUnattributed: number; orphanTweets: number };
}

export interface ModelOptions {
  /** Tweets later than this after the opener are dropped from a template (TWCS holds replies to years-old tweets). */
  maxSpanMs?: number;
}

const NUMERIC = /^\d+$/;
const MENTION = /@(\w+)/g;

/** Splits a text into literal parts and slots for the conversation's brand and customers, so ids can be substituted. */
export function templateText(text: string, brand: string, customerIndex: Map<string, number>): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  const brandLower = brand.toLowerCase();
  for (const m of text.matchAll(MENTION)) {
    const name = m[1]!;
    let part: TextPart | undefined;
    if (name.toLowerCase() === brandLower) part = { slot: 'brand' };
    else if (NUMERIC.test(name) && customerIndex.has(name)) part = { slot: 'customer', index: customerIndex.get(name)! };
    if (!part) continue;
    const at = m.index! + 1; // keep the "@"
    if (at > last) parts.push(text.slice(last, at));
    parts.push(part);
    last = at + name.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** Builds the model from every tweet of a corpus (any order). */
export function buildCorpusModel(tweets: Tweet[], opts: ModelOptions = {}): CorpusModel {
  const maxSpanMs = opts.maxSpanMs ?? 7 * 86_400_000;
  const byId = new Map(tweets.map((t) => [t.id, t]));
  const children = new Map<string, Set<string>>();
  const link = (parent: string, child: string) => {
    if (!byId.has(parent) || !byId.has(child) || parent === child) return;
    let s = children.get(parent);
    if (!s) children.set(parent, (s = new Set()));
    s.add(child);
  };
  for (const t of tweets) {
    if (t.inReplyToTweetId) link(t.inReplyToTweetId, t.id);
    for (const r of t.responseTweetIds ?? []) link(t.id, r);
  }
  const roots = tweets.filter((t) => !t.isBrand && (!t.inReplyToTweetId || !byId.has(t.inReplyToTweetId))).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const seen = new Set<string>();
  const brands = new Map<string, BrandProfile>();
  const hourOfWeek = new Array<number>(168).fill(1); // +1 smoothing: no hour is impossible
  let skippedMultiBrand = 0;
  let skippedUnattributed = 0;
  let repeat = 0;
  const customersSeen = new Set<string>();

  for (const root of roots) {
    if (seen.has(root.id)) continue;
    // Breadth-first over the reply tree, remembering each tweet's parent inside the tree.
    const parentOf = new Map<string, string | undefined>([[root.id, undefined]]);
    const queue = [root.id];
    for (let i = 0; i < queue.length; i++) {
      for (const c of children.get(queue[i]!) ?? []) {
        if (parentOf.has(c) || seen.has(c)) continue;
        parentOf.set(c, queue[i]);
        queue.push(c);
      }
    }
    for (const id of queue) seen.add(id);
    const nodes = queue.map((id) => byId.get(id)!);
    const brandNames = [...new Set(nodes.filter((n) => n.isBrand).map((n) => n.authorId))];
    if (brandNames.length > 1) {
      skippedMultiBrand++;
      continue;
    }
    // An unanswered conversation belongs to the brand it mentions; without one it cannot be attributed.
    const brand = brandNames[0] ?? root.mentions.find((m) => !NUMERIC.test(m));
    if (!brand) {
      skippedUnattributed++;
      continue;
    }
    const t0 = root.createdAt.getTime();
    nodes.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a === root ? -1 : b === root ? 1 : 0));
    const index = new Map<string, number>();
    const customerIndex = new Map<string, number>();
    const out: TemplateTweet[] = [];
    for (const n of nodes) {
      const parentId = parentOf.get(n.id);
      const parent = parentId === undefined ? -1 : index.get(parentId);
      if (parent === undefined) continue; // its parent was dropped (past the span)
      // Nodes are in time order and a parent comes first, so offsets never decrease: `out` stays sorted.
      const offset = Math.max(0, n.createdAt.getTime() - t0, parent >= 0 ? out[parent]!.offsetMs : 0);
      if (offset > maxSpanMs) continue;
      if (!n.isBrand && !customerIndex.has(n.authorId)) customerIndex.set(n.authorId, customerIndex.size);
      index.set(n.id, out.length);
      out.push({ offsetMs: offset, author: n.isBrand ? -1 : customerIndex.get(n.authorId)!, parent, text: [] });
    }
    // Texts are templated once every participant is known (a brand reply may name a customer who writes later).
    let k = 0;
    for (const n of nodes) {
      if (!index.has(n.id)) continue;
      out[k++]!.text = templateText(n.text, brand, customerIndex);
    }
    const firstBrand = out.find((t) => t.author === -1);
    const template: ConversationTemplate = { brand, tweets: out, customers: customerIndex.size, firstResponseMs: firstBrand?.offsetMs };
    let profile = brands.get(brand);
    if (!profile) brands.set(brand, (profile = { brand, templates: [], tweets: 0 }));
    profile.templates.push(template);
    profile.tweets += out.length;
    const d = root.createdAt;
    hourOfWeek[((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours()]!++;
    if (customersSeen.has(root.authorId)) repeat++;
    customersSeen.add(root.authorId);
  }
  const list = [...brands.values()].sort((a, b) => b.tweets - a.tweets || a.brand.localeCompare(b.brand));
  const templates = list.reduce((n, b) => n + b.templates.length, 0);
  return {
    brands: list,
    hourOfWeek,
    repeatCustomerShare: templates ? repeat / templates : 0,
    stats: { tweets: tweets.length, templates, skippedMultiBrand, skippedUnattributed, orphanTweets: tweets.length - seen.size },
  };
}
