// Owns what every benchmark shares: the result type, the machine description, sizes, a PostgreSQL to run on, generated corpora and the one BENCHMARKS.md table.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDb, type Db } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded.ts';
import { createLogger } from '../src/log.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** One figure of one benchmark. `pass` is null for figures reported without a target. */
export interface BenchResult {
  name: string;
  figure: number;
  unit: string;
  target: string;
  pass: boolean | null;
  note?: string;
}

export function atLeast(name: string, figure: number, unit: string, min: number, note?: string): BenchResult {
  return { name, figure, unit, target: `≥ ${fmt(min)} ${unit}`, pass: figure >= min, note };
}

export function atMost(name: string, figure: number, unit: string, max: number, note?: string): BenchResult {
  return { name, figure, unit, target: `< ${fmt(max)} ${unit}`, pass: figure < max, note };
}

export function info(name: string, figure: number, unit: string, note?: string): BenchResult {
  return { name, figure, unit, target: '—', pass: null, note };
}

/** A benchmark that could not run: reported as a row so the table shows the gap instead of hiding it. */
export function notRun(name: string, target: string, why: string): BenchResult {
  return { name, figure: Number.NaN, unit: '', target, pass: false, note: `not run: ${why}` };
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

export type Scale = 'full' | 'small';

/** BENCH_SCALE=small runs every benchmark on small sizes (a quick check); the committed table comes from `full`. */
export function scale(): Scale {
  return process.env.BENCH_SCALE === 'small' ? 'small' : 'full';
}

export function sized<T>(full: T, small: T): T {
  return scale() === 'small' ? small : full;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  os: string;
  postgres?: string;
  date: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

/** True when `importMetaUrl` is the script node was started with (so a bench file can run alone or be imported). */
export function isMain(importMetaUrl: string): boolean {
  return !!process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(importMetaUrl);
}

/** Prints the results as a small table, then one machine-readable line that bench/run.ts collects. */
export function printResults(results: BenchResult[]): void {
  for (const r of results) {
    const mark = r.pass === null ? '' : r.pass ? 'pass' : 'SHORT';
    process.stdout.write(`${r.name.padEnd(52)} ${fmt(r.figure).padStart(12)} ${r.unit.padEnd(10)} ${r.target.padEnd(22)} ${mark}${r.note ? '  ' + r.note : ''}\n`);
  }
  process.stdout.write(`BENCH_RESULTS ${JSON.stringify(results)}\n`);
}

/** Finds the results line a bench script printed (printResults), or a last line that is a JSON array of results. */
export function parseResults(stdout: string): BenchResult[] | undefined {
  const lines = stdout.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    const json = l.startsWith('BENCH_RESULTS ') ? l.slice('BENCH_RESULTS '.length) : l.startsWith('[') || l.startsWith('{') ? l : undefined;
    if (!json) continue;
    try {
      const v = JSON.parse(json) as unknown;
      const arr = Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray((v as { results?: unknown }).results) ? (v as { results: unknown[] }).results : undefined;
      if (arr && arr.every((x) => x && typeof x === 'object' && 'name' in x && 'figure' in x)) return arr as BenchResult[];
    } catch {
      // not JSON after all; keep looking
    }
  }
  return undefined;
}

let server: Promise<{ adminUrl: string; embedded?: EmbeddedServer; dir?: string }> | undefined;

/**
 * The PostgreSQL benchmarks run on: BENCH_DATABASE_URL (an admin URL; run.ts passes its own to child scripts), else
 * TEST_DATABASE_URL, else an embedded server in a temp folder that this process owns.
 */
export function benchServer(): Promise<{ adminUrl: string; embedded?: EmbeddedServer; dir?: string }> {
  server ??= (async () => {
    const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
    if (url) return { adminUrl: url };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-bench-pg-'));
    const embedded = await startEmbedded(dir, createLogger('warn'), { persistent: false, database: 'postgres' });
    return { adminUrl: embedded.url, embedded, dir };
  })();
  return server;
}

export async function stopBenchServer(): Promise<void> {
  if (!server) return;
  const s = await server;
  server = undefined;
  if (s.embedded) await s.embedded.stop();
  if (s.dir) fs.rmSync(s.dir, { recursive: true, force: true });
}

export interface BenchDb {
  db: Db;
  pool: pg.Pool;
  url: string;
  destroy(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}

/** A fresh database on the bench server, built by the real migrations (`migrate: false` leaves it empty). */
export async function benchDatabase(opts: { migrate?: boolean; poolSize?: number } = {}): Promise<BenchDb> {
  const { adminUrl } = await benchServer();
  const name = `rw_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const { db, pool } = createDb(url, opts.poolSize ?? 10);
  if (opts.migrate !== false) await migrate(db, url);
  return {
    db,
    pool,
    url,
    destroy: async () => {
      await db.destroy();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export const BENCH_DIR = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'replywatch-bench');

/**
 * A generated corpus (see `replywatch gen`), cached by size, handles, seed and format so several benchmarks share
 * one file. Times start at `startMs` (default 2017-10-01, like the sample). `uniform` opens conversations at an even
 * rate instead of the sample's hour-of-week profile: a corpus placed at the real clock then has the same volume
 * whatever hour the benchmark runs.
 */
export async function generatedCorpus(opts: { tweets: number; handles: number; seed?: number; format?: 'twcs' | 'x-json'; startMs?: number; days?: number; uniform?: boolean }): Promise<string> {
  const { loadCorpusModel, writeCorpus } = await import('../src/sources/twcs-generator.ts');
  const { DEFAULT_SAMPLE, defaultDays } = await import('../src/cli/gen.ts');
  const format = opts.format ?? 'twcs';
  const seed = opts.seed ?? 1;
  const startMs = opts.startMs ?? Date.parse('2017-10-01T00:00:00Z');
  const days = opts.days ?? defaultDays(opts.tweets);
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const file = path.join(BENCH_DIR, `gen-${opts.tweets}-${opts.handles}-${seed}-${startMs}-${days}${opts.uniform ? '-u' : ''}.${format === 'twcs' ? 'csv' : 'jsonl'}`);
  if (fs.existsSync(file)) return file;
  const model = await loadCorpusModel(DEFAULT_SAMPLE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeCorpus(model, { tweets: opts.tweets, handles: opts.handles, seed, startMs, spanMs: days * 86_400_000, uniform: opts.uniform, format }, tmp);
  fs.renameSync(tmp, file);
  return file;
}

/** Writes the one table of BENCHMARKS.md. */
export function benchmarksMarkdown(results: BenchResult[], m: Machine, extra: string[] = []): string {
  const rows = results.map((r) => {
    const figure = Number.isFinite(r.figure) ? `${fmt(r.figure)} ${r.unit}` : '—';
    const verdict = r.pass === null ? '—' : r.pass ? 'pass' : 'short';
    return `| ${r.name} | ${figure} | ${r.target} | ${verdict} | ${r.note ?? ''} |`;
  });
  return [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts); every figure below comes from that one run on the machine named here.',
    'Targets are from the design (../shared/DESIGN.md, "Targets"). Sizes: `BENCH_SCALE=full` unless noted; `BENCH_SCALE=small` is a quick check and is not committed.',
    '',
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}`,
    `- Node ${m.node}${m.postgres ? `, PostgreSQL ${m.postgres}` : ''}`,
    `- Date: ${m.date}`,
    ...extra.map((e) => `- ${e}`),
    '',
    '| benchmark | figure | target | result | notes |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/**
 * CPU time the whole machine spent busy (user, nice, system, irq, softirq; all cores) since boot, in seconds, from
 * /proc/stat; undefined where there is none. The difference over a phase counts the database server's work too, which
 * the benchmark process's own cpuUsage() does not.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const [user, nice, system, , , irq, softirq] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // Clock ticks of USER_HZ, which is 100 on Linux.
    return (user! + nice! + system! + irq! + softirq!) / 100;
  } catch {
    return undefined;
  }
}
