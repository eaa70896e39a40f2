// Measures the SLA engine: deadline -> alert row latency with 10k open cases on a real graphile-worker runner, and analyzer throughput from the database.
import { run } from 'graphile-worker';
import { sql } from 'kysely';
import os from 'node:os';
import { loadConfig, parseFileConfig, type Config } from '../src/config.ts';
import { syncConfig } from '../src/db/config.repository.ts';
import { ensureHandles } from '../src/db/handle.repository.ts';
import { upsertTweets } from '../src/db/tweet.repository.ts';
import { silentGraphileLogger } from '../src/db/migrate.ts';
import { createLogger } from '../src/log.ts';
import { systemClock, type Deps } from '../src/deps.ts';
import { CannedDetector } from '../src/domain/classify/index.ts';
import { analyzeHandle } from '../workers/analyze-handle.ts';
import { analyzer } from '../workers/analyzer.ts';
import { notifier } from '../workers/notifier.ts';
import { loadTwcs } from '../test/sla/twcs-load.ts';
import { atLeast, atMost, benchDatabase, generatedCorpus, info, isMain, machineBusySeconds, percentile, printResults, sized, stopBenchServer, type BenchResult } from './lib.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const ANALYZER_LANES = Number(process.env.BENCH_ANALYZER_LANES ?? 3);

/**
 * 10k waiting customers whose breach falls due within `windowS` seconds; one runner with the analyzer and notifier
 * tasks fires them, as `replywatch start` runs them (the default route sends every alert to the console channel, so
 * each breach also queues a delivery that the same runner works off); latency = raised_at - due_at.
 */
async function deadlineLatency(): Promise<BenchResult[]> {
  const cases = sized(10_000, 1_000);
  const windowS = sized(60, 10);
  const handles = 20;
  const bdb = await benchDatabase({ poolSize: CONCURRENCY + 4 });
  try {
    const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent' }, os.tmpdir()), file: parseFileConfig({ policies: [{ name: 'default', clock: 'wall', firstResponseMinutes: 10, warnRatios: [] }] }, {}) };
    await syncConfig(bdb.db, config.file);
    const names = Array.from({ length: handles }, (_, i) => `BenchHelp${i}`);
    const ids = await ensureHandles(bdb.db, names);
    // Due times start after the setup (analyzer run included) is done.
    const firstDue = Date.now() + 30_000 + cases * 2;
    const tweets = Array.from({ length: cases }, (_, i) => ({
      tweet: { id: String(1_000_000 + i), authorId: String(500_000 + i), text: 'where is my order', createdAt: new Date(firstDue + Math.floor((i * windowS * 1000) / cases) - 600_000), mentions: [names[i % handles]], isBrand: false },
    }));
    for (let i = 0; i < tweets.length; i += 5000) await upsertTweets(bdb.db, tweets.slice(i, i + 5000), 'bench');
    await bdb.db.insertInto('tweet_handles').values(tweets.map((t, i) => ({ handle_id: ids.get(names[i % handles])!, tweet_id: t.tweet.id, role: 'customer', created_at: t.tweet.createdAt }))).execute();
    const canned = new CannedDetector();
    for (const id of ids.values()) await analyzeHandle(bdb.db, id, { now: () => new Date(), canned });
    const planned = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where key like 'deadline:%'`.execute(bdb.db);
    if (Date.now() > firstDue) throw new Error('setup took longer than the head start; raise it');

    const deps: Deps = { config, db: bdb.db, pool: bdb.pool, databaseUrl: bdb.url, clock: systemClock, log: createLogger('silent'), readiness: { migrated: true, workers: new Set(), roles: new Set() } };
    const taskList = { ...analyzer.tasks!(deps), ...notifier.tasks!(deps) };
    const runner = await run({ pgPool: bdb.pool, taskList, concurrency: CONCURRENCY, pollInterval: config.workerPollIntervalMs, noHandleSignals: true, logger: silentGraphileLogger });
    const stopNotifier = await notifier.start!(deps);
    try {
      const until = firstDue + windowS * 1000 + 120_000;
      for (;;) {
        const r = await sql<{ n: number }>`select count(*)::int as n from alerts where kind = 'sla_breach'`.execute(bdb.db);
        if (r.rows[0].n >= cases || Date.now() > until) break;
        await new Promise((res) => setTimeout(res, 500));
      }
    } finally {
      await stopNotifier();
      await runner.stop();
    }
    const lat = await sql<{ ms: number }>`select extract(epoch from (raised_at - due_at)) * 1000 as ms from alerts where kind = 'sla_breach'`.execute(bdb.db);
    const ms = lat.rows.map((r) => Number(r.ms));
    const note = `${ms.length} of ${cases} breaches, due over ${windowS} s, ${planned.rows[0].n} timers, one runner with the analyzer and notifier tasks, concurrency ${CONCURRENCY}`;
    return [
      info('deadline → alert row p50', percentile(ms, 50), 'ms', note),
      atMost('deadline → alert row p99', percentile(ms, 99), 'ms', 2000, note),
      info('deadline → alert row max', Math.max(...ms), 'ms'),
    ];
  } finally {
    await bdb.destroy();
  }
}

/** A generated TWCS-shaped corpus stored as the analyzer's queues, then analyzed handle by handle. */
async function analyzerThroughput(): Promise<BenchResult[]> {
  const n = sized(200_000, 20_000);
  const file = await generatedCorpus({ tweets: n, handles: 20, format: 'twcs', seed: 6 });
  const bdb = await benchDatabase({ poolSize: ANALYZER_LANES + 2 });
  try {
    const { asOf, handleIds, links } = await loadTwcs(bdb.db, file);
    const canned = new CannedDetector();
    const busy0 = machineBusySeconds();
    const started = process.hrtime.bigint();
    let done = 0;
    // Handles run side by side as the job runner runs them (one analyze_handle job per handle), so one handle's
    // classification overlaps another's database writes.
    const queue = [...handleIds];
    const lane = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const r = await analyzeHandle(bdb.db, id, { now: () => new Date(asOf), canned, maxBatches: 1_000_000 });
        done += r.tweets;
      }
    };
    await Promise.all(Array.from({ length: ANALYZER_LANES }, lane));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const busy = busy0 === undefined ? undefined : machineBusySeconds()! - busy0;
    if (done !== links) throw new Error(`analyzed ${done} of ${links} queued tweets`);
    return [atLeast('analyzer throughput from the database', done / seconds, 'tweets/s', 10_000, `${done} queue rows, 20 handles, ${ANALYZER_LANES} handles at a time, batches of 5,000${busy === undefined ? '' : `; ${busy.toFixed(1)} CPU-seconds machine-wide (${((busy / done) * 1e6).toFixed(0)} µs a tweet, worker and database)`}`)];
  } finally {
    await bdb.destroy();
  }
}

export async function runBench(): Promise<BenchResult[]> {
  // BENCH_PART=deadlines or =analyzer runs one half.
  const part = process.env.BENCH_PART;
  return [...(part === 'analyzer' ? [] : await deadlineLatency()), ...(part === 'deadlines' ? [] : await analyzerThroughput())];
}

if (isMain(import.meta.url)) {
  runBench()
    .then(printResults)
    .then(() => stopBenchServer())
    .catch(async (err) => {
      process.stderr.write(`bench/deadlines: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      await stopBenchServer();
      process.exit(1);
    });
}
