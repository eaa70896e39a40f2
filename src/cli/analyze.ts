// Owns `replywatch analyze`: a TWCS file in, cases.jsonl and scorecard.json out, no database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import YAML from 'yaml';
import { ConfigError, parseFileConfig, type FileConfig } from '../config.ts';
import { CaseStore, type HandleSetup } from '../domain/analysis.ts';
import { compileCalendar, parseIcalHolidays } from '../domain/calendar.ts';
import { caseRecord } from '../domain/case-summary.ts';
import { ScorecardBuilder, type Period, type Scorecard } from '../domain/scorecard.ts';
import { watchList } from '../domain/routing.ts';
import type { Calendar, Policy } from '../domain/types.ts';
import { readTwcs, twcsFormat, type MalformedRow } from '../sources/twcs.ts';
import { TweetColumns } from './analyze-columns.ts';
import { AnalyzePool } from './analyze-pool.ts';
import { ColumnRouter } from './analyze-router.ts';
import { Utf8Lines } from './utf8-lines.ts';

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

  const workers = opts.workers ?? 0;
  // Worker threads load their modules while this thread reads the file.
  const pool = workers > 0 ? new AnalyzePool(workers, { config: opts.config, targetMinutes: opts.targetMinutes, env: opts.env ?? process.env, period: opts.period, writeCases: !!opts.out }) : undefined;
  let out: fs.WriteStream | undefined;
  let result: ThreadResult;
  // CSV texts stay UTF-8 bytes from the file to the worker that classifies them: decoded once, there.
  const textsAsUtf8Bytes = twcsFormat(file, opts.format) === 'csv';
  const cols = new TweetColumns({ textsAsUtf8Bytes });
  const brands = new Set<string>();
  let router: ColumnRouter;
  try {
    // Pass 1: read into columns. TWCS files are not in time order (the corpus groups conversations), so threading needs
    // them sorted; columns keep the 2.8M-tweet corpus at a few hundred bytes a tweet instead of a Tweet object each.
    for await (const batch of readTwcs(file, { format: opts.format, withResponses: false, withMentions: false, textAsUtf8Bytes: textsAsUtf8Bytes, onMalformed, onProgress: (b) => bar.update(b, 'reading ') })) {
      for (const t of batch) {
        cols.push(t);
        if (t.isBrand) brands.add(t.authorId);
      }
    }
    bar.clear();
    const order = cols.sortedOrder();
    const watched = watchList(brands);
    router = new ColumnRouter(cols, watched);
    const asOf = cols.length ? cols.times[order[order.length - 1]!]! : Date.now();

    // Pass 2: route in time order, then classify and thread per handle, in worker threads when asked; finished cases
    // stream out to cases.jsonl and into the scorecard.
    if (opts.out) {
      fs.mkdirSync(opts.out, { recursive: true });
      out = fs.createWriteStream(path.join(opts.out, 'cases.jsonl'));
    }
    const write = async (chunk: Uint8Array) => {
      if (out && chunk.length && !out.write(chunk)) await new Promise<void>((resolve) => out!.once('drain', resolve));
    };
    const threadBar = progressBar(err, cols.length);
    const o = { ...opts, asOf, bar: threadBar };
    result = pool ? await threadInWorkers(cols, order, router, pool, write, { ...o, weights: brandReplies(cols, watched) }) : await threadHere(cols, order, router, setupOf, write, o);
    threadBar.clear();
  } catch (e) {
    pool?.stop();
    out?.destroy();
    throw e;
  }
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

/** Single-threaded pass 2. Texts are released once all are threaded. */
async function threadHere(cols: TweetColumns, order: Uint32Array, router: ColumnRouter, setupOf: (h: string) => HandleSetup, write: (s: Uint8Array) => Promise<void>, o: ThreadOpts): Promise<ThreadResult> {
  const scorecard = new ScorecardBuilder({ asOf: o.asOf, period: o.period });
  let cases = 0;
  const pending = new Utf8Lines();
  const store = new CaseStore({
    setup: setupOf,
    onCase(c) {
      const setup = setupOf(c.handle);
      cases++;
      scorecard.add(c, setup);
      if (o.out) pending.add(JSON.stringify(caseRecord(c, setup, o.asOf)));
    },
  });
  const flush = async () => {
    for (const chunk of pending.take()) await write(chunk);
  };
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const routes = router.route(i);
    if (routes.length > 0) {
      const t = cols.tweet(i, false);
      for (const route of routes) store.step(t, route);
    }
    if (((k + 1) & 8191) === 0) {
      o.bar.update(k + 1, 'threading');
      await flush();
    }
  }
  cols.releaseTexts();
  store.finish(o.asOf);
  await flush();
  return { scorecard, cases, orphanReplies: store.orphanReplies };
}

/** Brand tweets per watched handle: a measure of each handle's share of the work. */
function brandReplies(cols: TweetColumns, watched: (n: string) => string | undefined): Map<string, number> {
  const byAuthor = new Map<string, number>();
  for (let i = 0; i < cols.length; i++) if (cols.brand[i] === 1) byAuthor.set(cols.authors[i]!, (byAuthor.get(cols.authors[i]!) ?? 0) + 1);
  const out = new Map<string, number>();
  for (const [author, n] of byAuthor) {
    const h = watched(author);
    if (h) out.set(h, (out.get(h) ?? 0) + n);
  }
  return out;
}

/** Pass 2 over the worker pool: this thread routes, the workers classify and thread (see AnalyzePool). */
async function threadInWorkers(cols: TweetColumns, order: Uint32Array, router: ColumnRouter, pool: AnalyzePool, write: (s: Uint8Array) => Promise<void>, o: ThreadOpts & { weights: Map<string, number> }): Promise<ThreadResult> {
  pool.start(o.asOf, o.period, write, o.weights);
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    for (const r of router.route(i)) {
      const wait = pool.add(cols, i, r);
      if (wait) await wait;
    }
    if (((k + 1) & 8191) === 0) o.bar.update(k + 1, 'threading');
  }
  cols.releaseTexts();
  return pool.finish();
}

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
