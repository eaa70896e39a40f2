// Loads a TWCS file into a test database the way `replywatch analyze` routes it: tweets, handles and per-handle queue rows in time order.
import { parseFileConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/connect.ts';
import { syncConfig } from '../../src/db/config.repository.ts';
import { ensureHandles } from '../../src/db/handle.repository.ts';
import { upsertTweets, type TweetLink } from '../../src/db/tweet.repository.ts';
import { buildResponderIndex, compareTweets } from '../../src/domain/analysis.ts';
import { routeTweet, watchList, type ParentInfo } from '../../src/domain/routing.ts';
import type { Tweet } from '../../src/domain/types.ts';
import { readTwcs } from '../../src/sources/twcs.ts';

/** Links each tweet to the handles `replywatch analyze` routes it to (the same routing code, the same parent memory). */
export function routeLinks(tweets: Tweet[], watched: (n: string) => string | undefined, ids: Map<string, number>): TweetLink[] {
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
      if (h) out.push({ handleId: ids.get(h)!, tweetId: tw.id, role: 'brand', createdAt: tw.createdAt });
    } else for (const r of routes) out.push({ handleId: ids.get(r.handle)!, tweetId: tw.id, role: 'customer', createdAt: tw.createdAt });
  }
  return out;
}

export async function loadTwcs(db: Db, file: string, limit = Infinity): Promise<{ asOf: number; handleIds: number[]; links: number; tweets: number }> {
  let tweets: Tweet[] = [];
  for await (const batch of readTwcs(file)) tweets.push(...batch);
  tweets.sort(compareTweets);
  if (tweets.length > limit) tweets = tweets.slice(0, limit);
  const brands = [...new Set(tweets.filter((x) => x.isBrand).map((x) => x.authorId))];
  await syncConfig(db, parseFileConfig({}, {}));
  const ids = await ensureHandles(db, brands);
  const all = routeLinks(tweets, watchList(brands), ids);
  for (let i = 0; i < tweets.length; i += 5000) await upsertTweets(db, tweets.slice(i, i + 5000).map((tweet) => ({ tweet })), 'twcs');
  // Links go in newest first, the order a poller reading X's newest-first pages stores them: the analyzer reads its
  // queue in tweet time order, so arrival order must not change a single case.
  const newestFirst = [...all].reverse();
  for (let i = 0; i < newestFirst.length; i += 5000) {
    await db
      .insertInto('tweet_handles')
      .values(newestFirst.slice(i, i + 5000).map((l) => ({ handle_id: l.handleId, tweet_id: l.tweetId, role: l.role, created_at: l.createdAt })))
      .execute();
  }
  return { asOf: tweets[tweets.length - 1].createdAt.getTime(), handleIds: [...new Set(ids.values())].sort((a, b) => a - b), links: all.length, tweets: tweets.length };
}
