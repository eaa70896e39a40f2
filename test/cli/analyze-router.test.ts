import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TweetColumns } from '../../src/cli/analyze-columns.ts';
import { ColumnRouter, IdIndex } from '../../src/cli/analyze-router.ts';
import { buildResponderIndex, TweetRouter } from '../../src/domain/analysis.ts';
import { watchList } from '../../src/domain/routing.ts';
import type { Tweet } from '../../src/domain/types.ts';
import { readTwcs } from '../../src/sources/twcs.ts';

const SAMPLE = path.resolve(import.meta.dirname, '../../../shared/data/twcs-sample.csv');

const tw = (id: string, author: string, ms: number, text: string, extra: Partial<Tweet> = {}): Tweet => ({
  id,
  authorId: author,
  text,
  createdAt: new Date(ms),
  mentions: [],
  isBrand: !/^\d+$/.test(author),
  ...extra,
});

/** Routes every row both ways: the domain's TweetRouter over Tweets, ColumnRouter over the columns. */
function bothWays(input: Tweet[]) {
  const cols = new TweetColumns();
  const brands = new Set<string>();
  for (const t of input) {
    cols.push(t);
    if (t.isBrand) brands.add(t.authorId);
  }
  const order = cols.sortedOrder();
  const watched = watchList(brands);
  const domain = new TweetRouter(watched, buildResponderIndex(cols.links(), watched));
  const columns = new ColumnRouter(cols, watched);
  const a: unknown[] = [];
  const b: unknown[] = [];
  for (const i of order) {
    a.push(domain.route(cols.tweet(i)));
    b.push(columns.route(i));
  }
  return { a, b, unrouted: [domain.unrouted, columns.unrouted] };
}

describe('ColumnRouter', () => {
  it('routes the sample exactly as the domain TweetRouter', async () => {
    const input: Tweet[] = [];
    for await (const batch of readTwcs(SAMPLE, { withResponses: false, withMentions: false })) input.push(...batch);
    const { a, b, unrouted } = bothWays(input);
    expect(b).toEqual(a);
    expect(unrouted[1]).toBe(unrouted[0]);
  });

  it('follows ids that are not numbers, repeated ids and replies to unknown tweets', () => {
    const { a, b } = bothWays([
      tw('0042', '111', 1000, '@AcmeHelp my order is late'),
      tw('43', 'AcmeHelp', 2000, '@111 sorry, which order?', { inReplyToTweetId: '0042' }),
      tw('12345678901234567890', '111', 3000, 'it is #123', { inReplyToTweetId: '43' }),
      tw('44', 'AcmeHelp', 4000, '@111 thanks, sorted', { inReplyToTweetId: '12345678901234567890' }),
      tw('45', '222', 5000, 'hello @111', { inReplyToTweetId: '999' }),
      tw('45', '222', 6000, 'again, same id'),
      tw('46', 'AcmeHelp', 7000, '@222 hi', { inReplyToTweetId: '45' }),
    ]);
    expect(b).toEqual(a);
  });
});

describe('IdIndex', () => {
  it('keeps the latest row per id across growth', () => {
    const ix = new IdIndex();
    for (let i = 0; i < 200_000; i++) ix.set(1e14 + i * 7919, i);
    ix.set(1e14, 5);
    expect(ix.get(1e14)).toBe(5);
    expect(ix.get(1e14 + 199_999 * 7919)).toBe(199_999);
    expect(ix.get(3)).toBe(-1);
  });
});
