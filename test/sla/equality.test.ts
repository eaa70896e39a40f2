// One source of truth: TWCS replayed through the database and the analyzer gives the same cases as `replywatch analyze`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { analyzeFile, loadSetups } from '../../src/cli/analyze.ts';
import { parseFileConfig } from '../../src/config.ts';
import { syncConfig } from '../../src/db/config.repository.ts';
import { ensureHandles } from '../../src/db/handle.repository.ts';
import { upsertTweets, type TweetLink } from '../../src/db/tweet.repository.ts';
import { slaDb } from '../../src/db/sla.schema.ts';
import { buildResponderIndex, compareTweets } from '../../src/domain/analysis.ts';
import { caseRecord } from '../../src/domain/case-summary.ts';
import { closeIfQuiet, type CaseState } from '../../src/domain/cases.ts';
import { CannedDetector } from '../../src/domain/classify/index.ts';
import { routeTweet, watchList, type ParentInfo } from '../../src/domain/routing.ts';
import type { Tweet } from '../../src/domain/types.ts';
import { readTwcs } from '../../src/sources/twcs.ts';
import { analyzeHandle } from '../../workers/analyze-handle.ts';

const FILE = process.env.EQUALITY_FILE ?? '/work/shared/data/twcs-sample.csv';
let t: TestDb;
let out: string;
beforeAll(async () => {
  t = await createTestDb();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-eq-'));
});
afterAll(async () => {
  await t?.destroy();
  fs.rmSync(out, { recursive: true, force: true });
});

/** Links each tweet to the handles `replywatch analyze` routes it to (the same routing code, the same parent memory). */
function links(tweets: Tweet[], watched: (n: string) => string | undefined, ids: Map<string, number>): TweetLink[] {
  const responders = buildResponderIndex(tweets, watched);
  const parents = new Map<string, ParentInfo>();
  const out: TweetLink[] = [];
  for (const tw of tweets) {
    const parent = tw.inReplyToTweetId ? parents.get(tw.inReplyToTweetId) : undefined;
    const routes = routeTweet(tw, { watched, parent, responders: responders.get(tw.id) });
    parents.set(tw.id, tw.isBrand ? { authorId: tw.authorId, isBrand: true, handles: [], customerId: routes[0]?.customerId ?? parent?.customerId } : { authorId: tw.authorId, isBrand: false, handles: routes.map((r) => r.handle) });
    if (tw.isBrand) {
      // The ingest path links a brand's own tweets to its handle whether or not they answer anyone.
      const h = watched(tw.authorId);
      if (h) out.push({ handleId: ids.get(h)!, tweetId: tw.id, role: 'brand' });
    } else for (const r of routes) out.push({ handleId: ids.get(r.handle)!, tweetId: tw.id, role: 'customer' });
  }
  return out;
}

it('gives every case the same metrics, flags and replies as `replywatch analyze` on the same file', async () => {
  const { summary } = await analyzeFile(FILE, { out });
  const expected = new Map<string, Record<string, unknown>>();
  for (const line of fs.readFileSync(path.join(out, 'cases.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    expected.set(r.case_id, r);
  }
  expect(expected.size).toBe(summary.cases);

  const tweets: Tweet[] = [];
  for await (const batch of readTwcs(FILE)) tweets.push(...batch);
  tweets.sort(compareTweets);
  const brands = [...new Set(tweets.filter((x) => x.isBrand).map((x) => x.authorId))];
  await syncConfig(t.db, parseFileConfig({}, {}));
  const ids = await ensureHandles(t.db, brands);
  const watched = watchList(brands);
  // Stored in time order, as ingestion would over time, so each handle's queue order is the time order.
  const all = links(tweets, watched, ids);
  for (let i = 0; i < tweets.length; i += 5000) await upsertTweets(t.db, tweets.slice(i, i + 5000).map((tweet) => ({ tweet })), 'twcs');
  // Direct inserts keep `seq` in time order (the ingest helper sorts each chunk by id, and a few TWCS replies have
  // smaller ids than the tweet they answer); the incremental path equals the batch path when tweets arrive in time order.
  for (let i = 0; i < all.length; i += 5000) {
    await t.db.insertInto('tweet_handles').values(all.slice(i, i + 5000).map((l) => ({ handle_id: l.handleId, tweet_id: l.tweetId, role: l.role }))).execute();
  }

  const asOf = tweets[tweets.length - 1].createdAt.getTime();
  const canned = new CannedDetector();
  let analyzed = 0;
  for (const handleId of [...new Set(ids.values())]) {
    // Small batches on purpose: cases span batch boundaries and must resume from the stored state.
    const r = await analyzeHandle(t.db, handleId, { now: () => new Date(asOf), canned, batchSize: 700, maxBatches: 1000 });
    analyzed += r.tweets;
  }
  expect(analyzed).toBe(all.length);

  const setupOf = loadSetups(undefined, undefined, {});
  const rows = await slaDb(t.db).selectFrom('cases').select(['case_key', 'summary', 'first_response_seconds', 'first_response_business_seconds', 'next_response_seconds', 'customer_tweets', 'brand_replies', 'nudges']).execute();
  const actual = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    const state = row.summary as unknown as CaseState;
    // `analyze` ends by closing the cases that went quiet before the end of the file; the database closes them on the next tweet.
    const setup = setupOf(state.handle);
    closeIfQuiet(state, asOf, setup.policy);
    const rec = caseRecord(state, setup, asOf);
    actual.set(rec.case_id, rec);
    // The row's columns carry the same numbers as the state they were written from.
    expect([row.first_response_seconds, row.first_response_business_seconds, row.next_response_seconds, row.customer_tweets, row.brand_replies, row.nudges]).toEqual([
      rec.first_response_seconds,
      rec.first_response_business_seconds,
      rec.next_response_seconds,
      rec.customer_tweets,
      rec.brand_replies,
      rec.nudges,
    ]);
  }
  expect(actual.size).toBe(expected.size);
  const mismatched = [...expected.keys()].filter((k) => JSON.stringify(actual.get(k)) !== JSON.stringify(expected.get(k)));
  const diff = (k: string) => {
    const e = expected.get(k)!;
    const a = actual.get(k) ?? {};
    return { case: k, fields: Object.keys(e).filter((f) => JSON.stringify(e[f]) !== JSON.stringify(a[f])).map((f) => ({ f, e: e[f], a: a[f] })) };
  };
  expect({ count: mismatched.length, first: mismatched.slice(0, 4).map(diff) }).toEqual({ count: 0, first: [] });
  expect(summary.cases).toBeGreaterThan(5000);
}, 300_000);
