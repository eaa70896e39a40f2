// Owns `replywatch analyze`: a TWCS file in, cases.jsonl and scorecard.json out, no database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import YAML from 'yaml';
import { ConfigError, parseFileConfig, type FileConfig } from '../config.ts';
import { Worker } from 'node:worker_threads';
import { buildResponderIndex, CaseStore, compareTweets, TweetRouter, type HandleSetup } from '../domain/analysis.ts';
import { compileCalendar, parseIcalHolidays } from '../domain/calendar.ts';
import { caseRecord } from '../domain/case-summary.ts';
import { ScorecardBuilder, type Period, type Scorecard } from '../domain/scorecard.ts';
import { watchList } from '../domain/routing.ts';
import type { Calendar, Policy, Tweet } from '../domain/types.ts';
import { readTwcs, type MalformedRow } from '../sources/twcs.ts';
import { TweetColumns } from './analyze-columns.ts';
import type { RoutedBatch, WorkerInit, WorkerMessage } from './analyze-worker.ts';

export interface AnalyzeOptions {
  format?: 'twcs' | 'jsonl';
  /** Output folder for cases.jsonl and scorecard.json; nothing is written without it. */
  out?: string;
  config?: string;
  targetMinutes?: number;
  period?: Period;
  /** Where progress and the summary go (default: nothing). */
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Worker threads for classifying and threading (0: all in this thread). */
  workers?: number;
  env?: Record<string, string | undefined>;
}

export interface AnalyzeSummary {
  rows: number;
  malformed: number;
  tweets: number;
  cases: number;
  orphanReplies: number;
  unroutedTweets: number;
  seconds: number;
  rowsPerSecond: number;
}

/** Reads the YAML config (if any) and returns a setup per handle: policy and compiled calendar. */
export function loadSetups(configPath: string | undefined, targetMinutes: number | undefined, env: Record<string, string | undefined>): (handle: string) => HandleSetup {
  let raw: unknown = {};
  if (configPath) {
    let text: string;
    try {
      text = fs.readFileSync(configPath, 'utf8');
    } catch (err) {
      throw new ConfigError(`--config: cannot read ${configPath}: ${(err as Error).message}`, { cause: err });
    }
    raw = YAML.parse(text);
  }
  const file: FileConfig = parseFileConfig(raw, env, configPath ?? 'config file');
  const calendars = new Map<string, Calendar>();
  for (const c of file.calendars) {
    let holidays = c.holidays;
    if (c.icalFile) {
      const icsPath = path.resolve(configPath ? path.dirname(configPath) : process.cwd(), c.icalFile);
      holidays = [...new Set([...holidays, ...parseIcalHolidays(fs.readFileSync(icsPath, 'utf8'))])];
    }
    calendars.set(c.name, { name: c.name, timezone: c.timezone, hours: c.hours, holidays });
  }
  const policies = new Map<string, Policy>();
  for (const p of file.policies) {
    policies.set(p.name, targetMinutes ? { ...p, firstResponseMinutes: targetMinutes, nextResponseMinutes: targetMinutes } : { ...p });
  }
  const teams = new Map(file.teams.map((t) => [t.name, t]));
  const byHandle = new Map(file.handles.map((h) => [h.handle.toLowerCase(), h]));
  const always = compileCalendar(calendars.get('always')!);
  const cache = new Map<string, HandleSetup>();
  return (handle) => {
    let s = cache.get(handle);
    if (s) return s;
    const h = byHandle.get(handle.toLowerCase());
    const team = h ? teams.get(h.team) : undefined;
    const policy = policies.get(team?.policy ?? h?.policy ?? 'default')!;
    const calName = h?.calendar ?? team?.calendar;
    s = { handle, policy, calendar: calName ? compileCalendar(calendars.get(calName)!) : always };
    cache.set(handle, s);
    return s;
  };
}

function progressBar(stderr: NodeJS.WritableStream | undefined, total: number) {
  const tty = stderr && (stderr as NodeJS.WriteStream).isTTY;
  let last = 0;
  return {
    update(done: number, label: string) {
      if (!tty || total === 0) return;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const frac = Math.min(1, done / total);
      const width = 30;
      const fill = Math.round(frac * width);
      stderr!.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}%`);
    },
    clear() {
      if (tty) stderr!.write('\r\x1b[K');
    },
  };
}

/** Runs the whole analysis of one file. Returns the scorecard and a summary; writes the two files when `out` is set. */
export async function analyzeFile(file: string, opts: AnalyzeOptions = {}): Promise<{ scorecard: Scorecard; summary: AnalyzeSummary }> {
  const started = performance.now();
  const err = opts.stderr;
  const setupOf = loadSetups(opts.config, opts.targetMinutes, opts.env ?? process.env);
  const size = fs.statSync(file).size;
  const bar = progressBar(err, size);
  let malformed = 0;
  const onMalformed = (m: MalformedRow) => {
    malformed++;
    if (malformed <= 20) err?.write(`${file}:${m.line}: skipped: ${m.reason}\n`);
    else if (malformed === 21) err?.write(`${file}: more malformed rows; counting them in the summary only\n`);
  };

  // Pass 1: read into columns. TWCS files are not in time order (the corpus groups conversations), so threading needs
  // them sorted; columns keep the 2.8M-tweet corpus at a few hundred bytes a tweet instead of a Tweet object each.
  const cols = new TweetColumns();
  const brands = new Set<string>();
  for await (const batch of readTwcs(file, { format: opts.format, withResponses: false, withMentions: false, onMalformed, onProgress: (b) => bar.update(b, 'reading ') })) {
    for (const t of batch) {
      cols.push(t);
      if (t.isBrand) brands.add(t.authorId);
    }
  }
  bar.clear();
  const order = cols.sortedOrder();
  const watched = watchList(brands);
  const responders = buildResponderIndex(cols.links(), watched);
  const asOf = cols.length ? cols.times[order[order.length - 1]!]! : Date.now();
  const tweets = cols.tweets(order);

  // Pass 2: route in time order, then classify and thread per handle, in worker threads when asked; finished cases
  // stream out to cases.jsonl and into the scorecard.
  let out: fs.WriteStream | undefined;
  if (opts.out) {
    fs.mkdirSync(opts.out, { recursive: true });
    out = fs.createWriteStream(path.join(opts.out, 'cases.jsonl'));
  }
  const write = async (chunk: string) => {
    if (out && chunk && !out.write(chunk)) await new Promise<void>((resolve) => out!.once('drain', resolve));
  };
  const router = new TweetRouter(watched, responders);
  const threadBar = progressBar(err, cols.length);
  const workers = opts.workers ?? 0;
  const result = workers > 0 ? await threadInWorkers(tweets, router, workers, write, { ...opts, asOf, bar: threadBar }) : await threadHere(tweets, router, setupOf, write, { ...opts, asOf, bar: threadBar });
  threadBar.clear();
  if (out) await new Promise<void>((resolve, reject) => out!.end((e?: Error | null) => (e ? reject(e) : resolve())));
  const card = result.scorecard.build();
  if (opts.out) fs.writeFileSync(path.join(opts.out, 'scorecard.json'), JSON.stringify(card, null, 2) + '\n');
  const cases = result.cases;
  const book = { orphanReplies: result.orphanReplies, unrouted: router.unrouted };

  const seconds = (performance.now() - started) / 1000;
  const rows = cols.length + malformed;
  const summary: AnalyzeSummary = { rows, malformed, tweets: cols.length, cases, orphanReplies: book.orphanReplies, unroutedTweets: book.unrouted, seconds: Math.round(seconds * 100) / 100, rowsPerSecond: Math.round(rows / seconds) };
  err?.write(
    `analyzed ${summary.rows.toLocaleString('en-US')} rows (${summary.malformed} malformed, skipped) into ${cases.toLocaleString('en-US')} cases across ${brands.size} handles in ${summary.seconds}s (${summary.rowsPerSecond.toLocaleString('en-US')} rows/s)` +
      (opts.out ? `; wrote ${path.join(opts.out, 'cases.jsonl')} and scorecard.json` : '') +
      '\n',
  );
  return { scorecard: card, summary };
}

interface ThreadResult {
  scorecard: ScorecardBuilder;
  cases: number;
  orphanReplies: number;
}
interface ThreadOpts {
  asOf: number;
  period?: Period;
  out?: string;
  config?: string;
  targetMinutes?: number;
  env?: Record<string, string | undefined>;
  bar: { update(done: number, label: string): void };
}

/** Single-threaded pass 2. Tweets are released as they are threaded so memory falls while it runs. */
async function threadHere(tweets: Iterable<Tweet>, router: TweetRouter, setupOf: (h: string) => HandleSetup, write: (s: string) => Promise<void>, o: ThreadOpts): Promise<ThreadResult> {
  const scorecard = new ScorecardBuilder({ asOf: o.asOf, period: o.period });
  let cases = 0;
  let pending: string[] = [];
  const store = new CaseStore({
    setup: setupOf,
    onCase(c) {
      const setup = setupOf(c.handle);
      cases++;
      scorecard.add(c, setup);
      if (o.out) pending.push(JSON.stringify(caseRecord(c, setup, o.asOf)));
    },
  });
  const flush = async () => {
    if (pending.length) await write(pending.join('\n') + '\n');
    pending = [];
  };
  let i = 0;
  for (const t of tweets) {
    for (const route of router.route(t)) store.step(t, route);
    if ((++i & 8191) === 0) {
      o.bar.update(i, 'threading');
      await flush();
    }
  }
  store.finish(o.asOf);
  await flush();
  return { scorecard, cases, orphanReplies: store.orphanReplies };
}

function emptyBatch(): RoutedBatch {
  return { ids: [], authors: [], texts: [], times: new Float64Array(4096), brand: new Uint8Array(4096), handles: [], customers: [] };
}

/**
 * Pass 2 over `n` worker threads: the main thread routes (routing needs every earlier tweet), each worker owns a share
 * of the handles (cases and canned detection are per handle, so the result equals the single-threaded path).
 */
async function threadInWorkers(tweets: Iterable<Tweet>, router: TweetRouter, n: number, write: (s: string) => Promise<void>, o: ThreadOpts): Promise<ThreadResult> {
  const init: WorkerInit = { config: o.config, targetMinutes: o.targetMinutes, env: o.env ?? process.env, asOf: o.asOf, period: o.period, writeCases: !!o.out };
  // Workers do not inherit the TypeScript loader of this thread: each registers tsx before importing its module.
  const boot = `(async () => { const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(new URL('./analyze-worker.ts', import.meta.url).href)}); })().catch((e) => { console.error(e); process.exit(1); });`;
  // A worker keeps little alive (open cases, canned fingerprints, scorecard figures); a cap on its old generation
  // makes V8 collect instead of growing the heap with garbage, which kept the RSS of a 1M-tweet run near 2 GB.
  const workers = Array.from({ length: n }, () => new Worker(boot, { eval: true, workerData: init, resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_MB } }));
  const scorecard = new ScorecardBuilder({ asOf: o.asOf, period: o.period });
  let cases = 0;
  let orphanReplies = 0;
  let writes = Promise.resolve();
  // Backpressure: at most MAX_INFLIGHT batches queued per worker, or the queues would hold a copy of the whole file.
  const MAX_INFLIGHT = 4;
  const inflight = workers.map(() => 0);
  const wake: ((() => void) | undefined)[] = workers.map(() => undefined);
  let failure: Error | undefined;
  const done = workers.map(
    (w, k) =>
      new Promise<void>((resolve, rejectDone) => {
        let finished = false;
        const reject = (e: Error) => {
          failure ??= e;
          wake.forEach((f) => f?.());
          rejectDone(e);
        };
        w.on('error', reject);
        w.on('exit', (code) => (finished ? resolve() : reject(new Error(`analyze worker stopped early (exit code ${code})`))));
        w.on('message', (m: WorkerMessage) => {
          if (m.type === 'ack') {
            inflight[k]!--;
            wake[k]?.();
          } else if (m.type === 'lines') writes = writes.then(() => write(m.data));
          else if (m.type === 'error') reject(new Error(`analyze worker failed: ${m.message}`));
          else {
            scorecard.absorb(m.parts);
            cases += m.cases;
            orphanReplies += m.orphanReplies;
            finished = true;
            void w.terminate();
          }
        });
      }),
  );
  // A failure surfaces through `failure` in the loop below or through Promise.all; never as an unhandled rejection.
  for (const d of done) d.catch(() => undefined);
  const partOf = new Map<string, number>();
  const batches = workers.map(() => emptyBatch());
  const send = async (k: number) => {
    const b = batches[k]!;
    if (b.ids.length === 0) return;
    while (inflight[k]! >= MAX_INFLIGHT && !failure) await new Promise<void>((resolve) => (wake[k] = resolve));
    if (failure) throw failure;
    wake[k] = undefined;
    inflight[k]!++;
    b.times = b.times.slice(0, b.ids.length);
    b.brand = b.brand.slice(0, b.ids.length);
    workers[k]!.postMessage(b, [b.times.buffer as ArrayBuffer, b.brand.buffer as ArrayBuffer]);
    batches[k] = emptyBatch();
  };
  let i = 0;
  for (const t of tweets) {
    for (const r of router.route(t)) {
      let k = partOf.get(r.handle);
      // Spread handles round-robin in order of first appearance; big brands appear early and land apart.
      if (k === undefined) partOf.set(r.handle, (k = partOf.size % n));
      const b = batches[k]!;
      const j = b.ids.length;
      b.ids.push(t.id);
      b.authors.push(t.authorId);
      b.texts.push(t.text);
      b.times[j] = t.createdAt.getTime();
      b.brand[j] = t.isBrand ? 1 : 0;
      b.handles.push(r.handle);
      b.customers.push(r.customerId);
      if (j + 1 === 4096) await send(k);
    }
    if ((++i & 8191) === 0) o.bar.update(i, 'threading');
  }
  for (let k = 0; k < n; k++) {
    await send(k);
    workers[k]!.postMessage('end');
  }
  await Promise.all(done);
  await writes;
  return { scorecard, cases, orphanReplies };
}

/** Old-generation cap per analyze worker thread, in MB (env REPLYWATCH_ANALYZE_WORKER_MB to change). */
const WORKER_OLD_MB = Number(process.env.REPLYWATCH_ANALYZE_WORKER_MB ?? 1024);

/** One worker per core, at most 4; none on a single core. */
export function defaultWorkers(): number {
  const cores = os.availableParallelism();
  return cores > 1 ? Math.min(4, cores) : 0;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('thread a TWCS file into cases, measure response times, and write cases.jsonl and scorecard.json (no database)')
    .argument('<file>', 'TWCS CSV (or JSON lines with the same fields)')
    .addOption(new Option('--format <format>', 'input format (default: from the file name)').choices(['twcs', 'jsonl']))
    .option('--out <dir>', 'output folder', 'out')
    .option('--config <file>', 'YAML config with calendars, policies and handles (default: wall clock, 1 h target)')
    .option('--target-minutes <n>', 'first and next response target for every policy', positiveNumber)
    .addOption(new Option('--period <period>', 'also split scorecards by period').choices(['all', 'month', 'week']).default('all'))
    .option('--workers <n>', 'worker threads for classification and threading (0: none)', (v) => Number(v), defaultWorkers())
    .action(async (file: string, opts: { format?: 'twcs' | 'jsonl'; out: string; config?: string; targetMinutes?: number; period: Period; workers: number }) => {
      await analyzeFile(file, { ...opts, stderr: process.stderr });
    });
}
