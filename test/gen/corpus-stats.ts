// Computes shape statistics of a corpus independently of the generator: per-brand first-response latencies, conversation sizes, nudges and text markers.
import type { Tweet } from '../../src/domain/types.ts';

export interface CorpusStats {
  tweets: number;
  brandShare: number;
  /** Customer-opened conversations (inbound, no reply-to) with a brand reply, per brand: first-response seconds. */
  firstResponse: Map<string, number[]>;
  meanTweetsPerConversation: number;
  /** Share of conversations in which the customer wrote again before the first brand reply. */
  nudgeShare: number;
  /** Share of brand tweets asking the customer to DM. */
  dmShare: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function corpusStats(tweets: Tweet[]): CorpusStats {
  const byId = new Map(tweets.map((t) => [t.id, t]));
  const kids = new Map<string, string[]>();
  const add = (p: string, c: string) => {
    if (!byId.has(p) || !byId.has(c)) return;
    (kids.get(p) ?? kids.set(p, []).get(p)!).push(c);
  };
  for (const t of tweets) {
    if (t.inReplyToTweetId) add(t.inReplyToTweetId, t.id);
    for (const r of t.responseTweetIds ?? []) add(t.id, r);
  }
  const firstResponse = new Map<string, number[]>();
  let conversations = 0;
  let inConversations = 0;
  let nudged = 0;
  for (const root of tweets) {
    if (root.isBrand || root.inReplyToTweetId) continue;
    const seen = new Set([root.id]);
    const queue = [root.id];
    for (let i = 0; i < queue.length; i++) for (const c of kids.get(queue[i]!) ?? []) if (!seen.has(c)) (seen.add(c), queue.push(c));
    const nodes = queue.map((id) => byId.get(id)!).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    conversations++;
    inConversations += nodes.length;
    const first = nodes.find((n) => n.isBrand);
    if (!first) continue;
    const latency = (first.createdAt.getTime() - root.createdAt.getTime()) / 1000;
    if (latency >= 0) (firstResponse.get(first.authorId) ?? firstResponse.set(first.authorId, []).get(first.authorId)!).push(latency);
    if (nodes.some((n) => !n.isBrand && n !== root && n.createdAt < first.createdAt)) nudged++;
  }
  const brand = tweets.filter((t) => t.isBrand);
  return {
    tweets: tweets.length,
    brandShare: brand.length / tweets.length,
    firstResponse,
    meanTweetsPerConversation: inConversations / conversations,
    nudgeShare: nudged / conversations,
    dmShare: brand.filter((t) => /\bDM\b/i.test(t.text)).length / brand.length,
  };
}
