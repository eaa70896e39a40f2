// Measures bulk ingest (the replay/backfill path: tweets + tweet_handles + analyzer wake-up per batch) against raw COPY of the same rows, in one run.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { ingestBatch } from '../src/db/ingest.repository.ts';
import { ensureHandles } from '../src/db/handle.repository.ts';
import { syncConfig } from '../src/db/config.repository.ts';
import { parseFileConfig } from '../src/config.ts';
import { readTwcs } from '../src/sources/twcs.ts';
import type { Tweet } from '../src/domain/types.ts';
import type { TweetLink } from '../src/db/tweet.repository.ts';
import { atLeast, benchDatabase, generatedCorpus, info, isMain, printResults, sized, stopBenchServer, type BenchResult } from './lib.ts';

const BATCH = 5000;

function copyText(v: string | null): string {
  if (v === null) return '\\N';
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function copyRow(t: Tweet): string {
  const mentions = '{' + t.mentions.map((m) => '"' + m.replace(/["\\]/g, '\\$&') + '"').join(',') + '}';
  return [t.id, t.authorId, t.authorUsername ?? null, null, t.text, t.createdAt.toISOString(), t.inReplyToTweetId ?? null, null, null, mentions, 'twcs']
    .map((v) => copyText(v))
    .join('\t') + '\n';
}

export async function run(): Promise<BenchResult[]> {
  const n = sized(200_000, 20_000);
  const file = await generatedCorpus({ tweets: n, handles: 20, format: 'twcs', seed: 5 });
  const tweets: Tweet[] = [];
  for await (const b of readTwcs(file)) tweets.push(...b);
  const brandOf = new Map(tweets.filter((t) => t.isBrand).map((t) => [t.id, t.authorId]));

  const bdb = await benchDatabase({ poolSize: 4 });
  try {
    await syncConfig(bdb.db, parseFileConfig({}, {}));
    const handleIds = await ensureHandles(bdb.db, [...new Set(brandOf.values())]);
    const owner = (t: Tweet) => (t.isBrand ? t.authorId : (brandOf.get(t.inReplyToTweetId ?? '') ?? t.responseTweetIds?.map((r) => brandOf.get(r)).find(Boolean)));

    // Bulk ingest: the same function the poller and replay use, one transaction per batch.
    const started = process.hrtime.bigint();
    for (let i = 0; i < tweets.length; i += BATCH) {
      const slice = tweets.slice(i, i + BATCH);
      const links: TweetLink[] = [];
      for (const t of slice) {
        const h = owner(t);
        const handleId = h ? handleIds.get(h) : undefined;
        if (handleId !== undefined) links.push({ handleId, tweetId: t.id, role: t.isBrand ? 'brand' : 'customer', createdAt: t.createdAt });
      }
      await ingestBatch(bdb.db, { source: 'twcs', records: slice.map((tweet) => ({ tweet })), links });
    }
    const ingestSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const linked = await bdb.pool.query('select count(*)::int as n from tweet_handles');

    // Raw COPY of the same rows into a plain table shaped like `tweets` (primary key only), same database, same run.
    await bdb.pool.query(`create table copy_tweets (id bigint primary key, author_id text not null, author_username text, author_name text, text text not null,
      created_at timestamptz not null, in_reply_to_tweet_id bigint, in_reply_to_user_id text, conversation_id bigint, mentions text[] not null, source text not null)`);
    const client = await bdb.pool.connect();
    const copyStarted = process.hrtime.bigint();
    try {
      const stream = client.query(copyFrom('copy copy_tweets (id, author_id, author_username, author_name, text, created_at, in_reply_to_tweet_id, in_reply_to_user_id, conversation_id, mentions, source) from stdin'));
      async function* rows() {
        let chunk = '';
        for (const t of tweets) {
          chunk += copyRow(t);
          if (chunk.length > 1 << 16) {
            yield chunk;
            chunk = '';
          }
        }
        if (chunk) yield chunk;
      }
      await pipeline(Readable.from(rows()), stream);
    } finally {
      client.release();
    }
    const copySeconds = Number(process.hrtime.bigint() - copyStarted) / 1e9;
    const copied = await bdb.pool.query('select count(*)::int as n from copy_tweets');

    const ingestRate = tweets.length / ingestSeconds;
    const copyRate = copied.rows[0].n / copySeconds;
    return [
      atLeast('bulk ingest (tweets + links + analyzer job)', Math.round(ingestRate), 'tweets/s', 20_000, `${tweets.length} tweets, ${linked.rows[0].n} links, batches of ${BATCH}`),
      info('raw COPY of the same rows (plain table, PK only)', Math.round(copyRate), 'rows/s', `${copied.rows[0].n} rows`),
      atLeast('bulk ingest as a share of raw COPY', Math.round((ingestRate / copyRate) * 100), '%', 50),
    ];
  } finally {
    await bdb.destroy();
  }
}

if (isMain(import.meta.url)) {
  run()
    .then(printResults)
    .finally(() => stopBenchServer())
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
