// Measures a worker process's memory with 1M tweets stored: a real `replywatch worker --only analyzer notifier` turns them all into cases while its RSS is sampled.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { addJob } from '../src/db/jobs.ts';
import { ANALYZE_TASK } from '../src/db/ingest.repository.ts';
import { defaultDays } from '../src/cli/gen.ts';
import { loadTwcs } from '../test/sla/twcs-load.ts';
import { atMost, benchDatabase, generatedCorpus, info, isMain, printResults, ROOT, sized, stopBenchServer, type BenchResult } from './lib.ts';

function procStatus(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

export async function run(): Promise<BenchResult[]> {
  const tweets = sized(1_000_000, 100_000);
  const handles = 100;
  const days = defaultDays(tweets);
  // The corpus ends about now, as a live service's tables would (conversations run up to a week past the last opening).
  const startMs = Date.now() - (days + 7) * 86_400_000;
  const file = await generatedCorpus({ tweets, handles, seed: 21, startMs, days });
  const bdb = await benchDatabase({ poolSize: 4 });
  try {
    const t0 = Date.now();
    const loaded = await loadTwcs(bdb.db, file);
    const loadSeconds = (Date.now() - t0) / 1000;
    for (const id of loaded.handleIds) await addJob(bdb.db, ANALYZE_TASK, { handleId: id }, { jobKey: `${ANALYZE_TASK}:${id}` });
    const size = await sql<{ tweets: string; total: string }>`
      select pg_total_relation_size('tweets')::text as tweets, pg_database_size(current_database())::text as total`.execute(bdb.db);

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'main.ts'), 'worker', '--only', 'analyzer', 'notifier'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: bdb.url, REPLAY_ENABLED: '0', LOG_LEVEL: 'warn', PORT: '0', REPLYWATCH_DATA_DIR: path.join(path.dirname(file), 'rss-data') },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let peak = 0;
    let last = 0;
    const sampler = setInterval(() => {
      const s = procStatus(child.pid!);
      if (s) {
        peak = Math.max(peak, s.hwm, s.rss);
        last = s.rss;
      }
    }, 250);
    const started = Date.now();
    const limitMs = sized(30, 5) * 60_000;
    let caughtUp = false;
    let analyzedAt = 0;
    while (Date.now() - started < limitMs && child.exitCode === null) {
      const behind = await sql<{ n: string }>`
        select count(*)::text as n from tweet_handles where not analyzed`.execute(bdb.db);
      if (!analyzedAt && Number(behind.rows[0]!.n) === 0) analyzedAt = Date.now();
      const due = await sql<{ n: string }>`
        select count(*)::text as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        where t.identifier in ('analyze_handle', 'check_deadline', 'deliver_alert') and j.run_at < now() and j.attempts < j.max_attempts`.execute(bdb.db);
      if (analyzedAt && Number(due.rows[0]!.n) === 0) {
        caughtUp = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    // Idle for a moment after the work: the figure a long-running worker sits at.
    await new Promise((r) => setTimeout(r, 5000));
    const settled = procStatus(child.pid!)?.rss ?? last;
    clearInterval(sampler);
    child.kill('SIGTERM');
    await exited;
    const counts = await sql<{ cases: string; alerts: string; deliveries: string; total: string }>`
      select (select count(*) from cases)::text as cases, (select count(*) from alerts)::text as alerts, (select count(*) from deliveries)::text as deliveries,
             pg_database_size(current_database())::text as total`.execute(bdb.db);
    const c = counts.rows[0]!;
    const analyzeSeconds = ((analyzedAt || Date.now()) - started) / 1000;
    const mb = (b: number) => b / 2 ** 20;
    const n = tweets >= 1_000_000 ? `${tweets / 1_000_000}M` : `${tweets / 1000}k`;
    const backlog = await sql<{ n: string }>`
      select count(*)::text as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'deliver_alert'`.execute(bdb.db);
    const state = caughtUp ? '' : analyzedAt ? `; analyzer caught up, ${Number(backlog.rows[0]!.n).toLocaleString('en-US')} deliveries still queued at the time limit` : '; analyzer NOT caught up within the time limit';
    const note = `${loaded.tweets.toLocaleString('en-US')} tweets, ${loaded.links.toLocaleString('en-US')} queue rows, ${handles} handles → ${Number(c.cases).toLocaleString('en-US')} cases, ${Number(c.alerts).toLocaleString('en-US')} alerts, ${Number(c.deliveries).toLocaleString('en-US')} deliveries${state}`;
    return [
      atMost(`worker RSS (analyzer + notifier) after ${n} tweets: peak`, mb(peak), 'MB', 300, note),
      atMost(`worker RSS (analyzer + notifier) after ${n} tweets: settled`, mb(settled), 'MB', 300),
      info(`analyzer worker process, all ${n} tweets into cases (deadlines and alerts included)`, loaded.links / analyzeSeconds, 'tweets/s', `${analyzeSeconds.toFixed(0)} s end to end through the job queue`),
      info(`loading the ${n} tweets (bench loader: upsert batches of 5,000)`, loaded.tweets / loadSeconds, 'tweets/s'),
      info('tweets table size per stored tweet (with indexes, TWCS rows: no raw JSON)', Number(size.rows[0]!.tweets) / loaded.tweets, 'bytes', `database ${(Number(size.rows[0]!.total) / 2 ** 30).toFixed(2)} GiB before analysis`),
      info('database size per stored tweet after analysis (cases, classifications, alerts, jobs)', Number(c.total) / loaded.tweets, 'bytes', `${(Number(c.total) / 2 ** 30).toFixed(2)} GiB in all`),
    ];
  } finally {
    await bdb.destroy();
  }
}

if (isMain(import.meta.url)) {
  run()
    .then(printResults)
    .finally(stopBenchServer)
    .then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
      },
    );
}
