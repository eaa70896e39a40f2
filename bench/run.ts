// Owns `npm run bench`: runs every benchmark script on one PostgreSQL, collects their figures and writes the one table in BENCHMARKS.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { atLeast, benchServer, benchmarksMarkdown, machine, notRun, parseResults, ROOT, scale, stopBenchServer, type BenchResult } from './lib.ts';

/**
 * Every benchmark the issues name, in the order of the table. Scripts print their results with printResults (lib.ts);
 * the two that print their own format (analyze, classify) get an adapter that reads their last line.
 */
const BENCHES: { file: string; what: string; target: string; args?: () => string[]; adapt?: (stdout: string) => BenchResult[] | undefined }[] = [
  { file: 'analyze.ts', what: 'analyze throughput (replywatch analyze)', target: '≥ 100,000 tweets/s', args: () => [scale() === 'small' ? '100000' : '1000000'], adapt: adaptAnalyze },
  { file: 'classify.ts', what: 'classify throughput per core', target: '≥ 200,000 tweets/s', args: () => [scale() === 'small' ? '3' : '10'], adapt: adaptClassify },
  { file: 'ingest.ts', what: 'bulk ingest vs raw COPY of the same rows', target: '≥ 20,000 tweets/s and ≥ ½ COPY' },
  { file: 'poll.ts', what: 'poll-to-stored lag against the fake X server', target: '—' },
  { file: 'deadlines.ts', what: 'deadline → alert row, 10k breaches; analyzer from the database', target: 'p99 < 2 s; ≥ 10,000 tweets/s' },
  { file: 'delivery.ts', what: 'deadline → alert row → webhook delivered, 10k open cases', target: 'p99 < 2 s / < 3 s' },
  { file: 'api.ts', what: 'API p95 at 200 req/s, 1M tweets, 100k cases', target: 'p95 < 50 ms' },
  { file: 'rss.ts', what: 'worker RSS after 1M tweets', target: '< 300 MB' },
];

/** bench/analyze.ts prints "analyze: N tweets in Ss = R tweets/s; C cases; W worker threads; ...; peak RSS M MB". */
function adaptAnalyze(stdout: string): BenchResult[] | undefined {
  const m = /analyze: ([\d,]+) tweets in ([\d.]+)s = ([\d,]+) tweets\/s; ([\d,]+) cases; (\d+) worker threads.*peak RSS (\d+) MB/.exec(stdout);
  if (!m) return undefined;
  const n = (x: string) => Number(x.replace(/,/g, ''));
  return [
    atLeast('analyze throughput (replywatch analyze, 2 cores)', n(m[3]!), 'tweets/s', 100_000, `${m[1]} tweets → ${m[4]} cases in ${m[2]} s, ${m[5]} worker threads, peak RSS ${m[6]} MB`),
  ];
}

/** bench/classify.ts prints one JSON object with tweetsPerSecond (single thread, so per core). */
function adaptClassify(stdout: string): BenchResult[] | undefined {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{') && l.includes('tweetsPerSecond'));
  if (!line) return undefined;
  const o = JSON.parse(line) as { tweets: number; rounds: number; tweetsPerSecond: number; tweetsPerCpuSecond: number };
  return [atLeast('classify throughput per core (one thread)', o.tweetsPerSecond, 'tweets/s', 200_000, `median of ${o.rounds} passes over the ${o.tweets} sample tweets; ${o.tweetsPerCpuSecond.toLocaleString('en-US')} per CPU-second`)];
}

const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 40 * 60_000);

function runScript(file: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', file), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      process.stdout.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, ms: Date.now() - started });
    });
  });
}

async function postgresVersion(url: string): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    return (await c.query<{ server_version: string }>('show server_version')).rows[0]?.server_version;
  } catch {
    return undefined;
  } finally {
    await c.end().catch(() => {});
  }
}

async function main() {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  // Only a complete full-size run may replace the committed table.
  const write = !process.argv.includes('--no-write') && only.length === 0 && scale() === 'full';
  const loadAtStart = os.loadavg()[0]!;
  const chosen = only.length ? BENCHES.filter((b) => only.some((o) => b.file.startsWith(o))) : BENCHES;
  const m = machine();
  const server = await benchServer();
  m.postgres = await postgresVersion(server.adminUrl);
  process.stderr.write(`bench: scale ${scale()}, PostgreSQL ${m.postgres ?? '?'} at ${server.embedded ? 'an embedded server' : 'BENCH_DATABASE_URL/TEST_DATABASE_URL'}\n`);
  const results: BenchResult[] = [];
  const timings: string[] = [];
  try {
    for (const b of chosen) {
      if (!fs.existsSync(path.join(ROOT, 'bench', b.file))) {
        results.push(notRun(b.what, b.target, `bench/${b.file} does not exist yet`));
        continue;
      }
      process.stderr.write(`\n== bench/${b.file}: ${b.what}\n`);
      const r = await runScript(b.file, b.args?.() ?? [], { BENCH_DATABASE_URL: server.adminUrl, BENCH_SCALE: scale() });
      const parsed = parseResults(r.stdout) ?? b.adapt?.(r.stdout);
      timings.push(`${b.file} ${(r.ms / 1000).toFixed(0)} s`);
      if (parsed?.length) results.push(...parsed);
      else results.push(notRun(b.what, b.target, `bench/${b.file} exited ${r.code} without results`));
      if (parsed?.length && r.code !== 0) results.push(notRun(`${b.what} (rest)`, b.target, `bench/${b.file} exited ${r.code} after partial results`));
    }
  } finally {
    await stopBenchServer();
  }
  const load = `Load average (1 min) at start ${loadAtStart.toFixed(2)}, at end ${os.loadavg()[0]!.toFixed(2)}: other work on this shared machine competed for its 2 cores during the run`;
  const md = benchmarksMarkdown(results, m, [`Scale: ${scale()}`, `Wall time per script: ${timings.join(', ')}`, load]);
  process.stdout.write('\n' + md);
  if (write) {
    fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), md);
    process.stderr.write('bench: wrote BENCHMARKS.md\n');
  } else process.stderr.write('bench: a subset, a small run or --no-write: BENCHMARKS.md left as it was\n');
  const short = results.filter((r) => r.pass === false).length;
  process.stderr.write(`bench: ${results.length} figures, ${short} short of target or not run\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
