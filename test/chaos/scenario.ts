// Owns one chaos run: the whole system (worker processes) against the fake X server and a webhook receiver while workers are SIGKILLed, PostgreSQL restarts, X fails and the webhook goes down; then the invariants.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, type Db } from '../../src/db/connect.ts';
import { loadCorpusModel, writeCorpus } from '../../src/sources/twcs-generator.ts';
import { readXFixture } from '../../src/sources/x-fixture.ts';
import { DEFAULT_SAMPLE } from '../../src/cli/gen.ts';
import type { XPost } from '../../src/domain/x-tweet.ts';
import { FakeX, startFakeX } from '../fakes/fake-x.ts';
import { startReceiver, type FakeReceiver } from '../fakes/receiver.ts';
import { runCli } from '../helpers/cli.ts';
import { OwnedPostgres, WorkerProcess, seeded, waitUntil } from './harness.ts';
import { checkInvariants, type InvariantReport } from './invariants.ts';

export interface ChaosOptions {
  seed: number;
  handles: number;
  /** Tweets in the corpus (history plus the live part). */
  tweets: number;
  /** Minutes of history served at once (the first poll backfills it). */
  historyMinutes: number;
  /** Seconds of faults; live posts are published during them. */
  chaosSeconds: number;
  workers: number;
  /** Mean seconds between two SIGKILLs. */
  killEverySeconds: number;
  pgRestarts: number;
  webhookOutageSeconds: number;
  /** Time allowed to settle once the faults stop. */
  settleSeconds: number;
  log?: (msg: string) => void;
}

export interface ChaosResult {
  report: InvariantReport;
  faults: { kills: number; unexpectedExits: number; pgRestarts: number; x429: number; x5xx: number; xCutOff: number; webhookDownSeconds: number };
  served: number;
  workers: { name: string; starts: number; kills: number; jobs: Record<string, number> }[];
  seconds: number;
}

export const CHAOS_SECRET = 'chaos-webhook-secret-0123456789';

function configYaml(handles: string[], receiverUrl: string): string {
  return [
    'policies:',
    '  - { name: chaos, firstResponseMinutes: 2, nextResponseMinutes: 2, clock: wall, warnRatios: [0.5], unansweredHorizonMinutes: 4 }',
    'teams:',
    '  - { name: chaos, calendar: always, policy: chaos }',
    'handles:',
    ...handles.map((h) => `  - { handle: ${h}, team: chaos, policy: chaos }`),
    'channels:',
    `  - { name: hook-a, type: webhook, url: "${receiverUrl}/a", secret: ${CHAOS_SECRET} }`,
    `  - { name: hook-b, type: webhook, url: "${receiverUrl}/b", secret: ${CHAOS_SECRET} }`,
    'routes:',
    '  - { name: all, channels: [hook-a, hook-b] }',
    '',
  ].join('\n');
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? (() => {});
  const started = Date.now();
  const rand = seeded(o.seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-chaos-'));
  // As root, PostgreSQL runs as the postgres user, who must reach its data folder through this one.
  fs.chmodSync(dir, 0o755);
  const pgServer = new OwnedPostgres(path.join(dir, 'postgres'));
  let fake: FakeX | undefined;
  let receiver: FakeReceiver | undefined;
  let db: Db | undefined;
  const procs: WorkerProcess[] = [];
  const faults = { kills: 0, unexpectedExits: 0, pgRestarts: 0, x429: 0, x5xx: 0, xCutOff: 0, webhookDownSeconds: 0 };
  try {
    await pgServer.start();
    const url = await pgServer.createDatabase('chaos');

    // The same corpus twice: X API pages for the fake server, TWCS for `replywatch analyze`.
    const now = Date.now();
    const model = await loadCorpusModel(DEFAULT_SAMPLE);
    const gen = { tweets: o.tweets, handles: o.handles, seed: o.seed, startMs: now - o.historyMinutes * 60_000, spanMs: (o.historyMinutes * 60 + o.chaosSeconds) * 1000, uniform: true };
    const xFile = path.join(dir, 'corpus.jsonl');
    const twcsFile = path.join(dir, 'corpus.csv');
    await writeCorpus(model, { ...gen, format: 'x-json' }, xFile);
    await writeCorpus(model, { ...gen, format: 'twcs' }, twcsFile);
    const fixture = await readXFixture(xFile);
    const handles = fixture.users.slice(0, o.handles).map((u) => u.username);
    const byTime = [...fixture.posts].sort((a, b) => Date.parse(a.created_at!) - Date.parse(b.created_at!));
    const isDue = (p: XPost) => Date.parse(p.created_at!) <= Date.now();
    fake = await startFakeX({ users: fixture.users, posts: byTime.filter(isDue) });
    fake.rateLimit = 100_000; // faults below decide when X says 429, not the window
    let pending = byTime.filter((p) => !isDue(p));
    const pump = setInterval(() => {
      let i = 0;
      while (i < pending.length && isDue(pending[i]!)) fake!.posts.push(pending[i++]!);
      if (i) pending = pending.slice(i);
    }, 100);

    receiver = await startReceiver();
    const cfg = path.join(dir, 'replywatch.config.yaml');
    fs.writeFileSync(cfg, configYaml(handles, receiver.url));
    const env: Record<string, string> = {
      DATABASE_URL: url,
      REPLYWATCH_CONFIG: cfg,
      REPLYWATCH_DATA_DIR: path.join(dir, 'data'),
      X_BEARER_TOKEN: 'chaos-token',
      X_API_BASE_URL: fake.url,
      X_API_ALLOW_HTTP: '1',
      X_POLL_MIN_INTERVAL_SECONDS: '1',
      X_POLL_MAX_INTERVAL_SECONDS: '3',
      // The fake publishes a post within 100 ms of its time; the margin covers a busy test process.
      X_SETTLE_SECONDS: '5',
      X_BACKFILL_HOURS: String(Math.ceil(o.historyMinutes / 60) + 1),
      REPLAY_ENABLED: '0',
      ALLOW_PRIVATE_NETWORKS: '1',
      DELIVERY_RETRY_BASE_MS: '300',
      DELIVERY_RETRY_MAX_MS: '3000',
      DELIVERY_CHANNEL_INTERVAL_MS: '0',
      DELIVERY_TIMEOUT_MS: '2000',
      DELIVERY_LEASE_MS: '5000',
      DELIVERY_MAX_ATTEMPTS: '100',
      // Individual messages only: the invariant is one delivery id per alert and channel.
      DIGEST_THRESHOLD_PER_MINUTE: '1000000',
      JOB_LEASE_SECONDS: '20',
      WORKER_CONCURRENCY: '4',
      PORT: '0',
    };
    const migrated = await runCli(['migrate'], { env: { ...env, LOG_LEVEL: 'warn' } });
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    const logDir = path.join(dir, 'logs');
    fs.mkdirSync(logDir);
    for (let i = 0; i < o.workers; i++) procs.push(new WorkerProcess(`worker-${i + 1}`, ['poller', 'analyzer', 'notifier'], env, logDir));
    for (const p of procs) p.start();
    log(`chaos: ${o.workers} workers, ${handles.length} handles, ${fake.posts.length} posts served at once, ${pending.length} to publish live; dir ${dir}`);

    // Faults, on a schedule drawn from the seed.
    const end = Date.now() + o.chaosSeconds * 1000;
    const pgAt = Array.from({ length: o.pgRestarts }, (_, i) => Date.now() + ((i + 1) / (o.pgRestarts + 1)) * o.chaosSeconds * 1000);
    const hookDownAt = Date.now() + 0.35 * o.chaosSeconds * 1000;
    let hookDown = false;
    let hookUpAt = 0;
    let nextKill = Date.now() + o.killEverySeconds * 1000 * (0.5 + rand());
    let lastKill = 0;
    while (Date.now() < end) {
      const t = Date.now();
      for (const p of procs) {
        if (!p.running) {
          if (p.child && p.child.signalCode !== 'SIGKILL') faults.unexpectedExits++;
          p.start();
        }
      }
      if (t >= nextKill) {
        const victim = procs[Math.floor(rand() * procs.length)]!;
        await victim.kill();
        faults.kills++;
        lastKill = Date.now();
        const back = 300 + rand() * 2500;
        setTimeout(() => victim.start(), back);
        nextKill = t + o.killEverySeconds * 1000 * (0.5 + rand());
      }
      if (pgAt.length && t >= pgAt[0]!) {
        pgAt.shift();
        log('chaos: restarting PostgreSQL');
        await pgServer.restart(1000 + rand() * 2000);
        faults.pgRestarts++;
      }
      if (!hookDown && hookUpAt === 0 && o.webhookOutageSeconds > 0 && t >= hookDownAt) {
        await receiver.stop();
        hookDown = true;
        hookUpAt = t + o.webhookOutageSeconds * 1000;
        log('chaos: webhook down');
      }
      if (hookDown && t >= hookUpAt) {
        await receiver.start();
        hookDown = false;
        faults.webhookDownSeconds += o.webhookOutageSeconds;
        log('chaos: webhook up');
      }
      const r = rand();
      if (r < 0.08) {
        fake.faults.rateLimit = { count: 1 + Math.floor(rand() * 4), resetInSeconds: 1 + Math.floor(rand() * 3) };
        faults.x429++;
      } else if (r < 0.16) {
        fake.faults.serverError = { count: 1 + Math.floor(rand() * 5), status: rand() < 0.5 ? 503 : 500 };
        faults.x5xx++;
      } else if (r < 0.2) {
        fake.faults.cutOff = { count: 1 };
        faults.xCutOff++;
      }
      await new Promise((res) => setTimeout(res, 250 + rand() * 500));
    }
    if (hookDown) {
      await receiver.start();
      faults.webhookDownSeconds += o.webhookOutageSeconds;
    }
    clearInterval(pump);
    fake.faults = {};
    // Everything restarts cleanly; from here on nothing is killed.
    await new Promise((res) => setTimeout(res, 3000));
    for (const p of procs) if (!p.running) p.start();
    log(`chaos: faults over (${faults.kills} kills, ${faults.pgRestarts} PostgreSQL restarts); settling`);

    db = createDb(url, 4).db;
    const servedIds = () => new Set(fake!.requests.filter((r) => r.status === 200).flatMap((r) => r.returnedIds));
    const relevant = relevantIds(fake, handles);
    // A killed worker's jobs are freed by the liveness sweep (10 s grace, 5 s sweeps); give it that long first.
    await waitUntil(async () => Date.now() - lastKill > 20_000 && (await settled(db!, relevant, servedIds())), {
      timeoutMs: o.settleSeconds * 1000,
      what: 'the system to settle (every served tweet stored and analyzed, every alert delivered, no job stuck)',
      describe: async () => `${await describeState(db!, relevant, servedIds())}\n${procs.map((p) => p.describe()).join('\n')}`,
      everyMs: 1000,
    });
    // Seen settled; the workers run on until each is stopped.
    const stoppedAt = new Date();
    for (const p of procs) await p.stopGracefully();
    log('chaos: settled; checking invariants');
    const report = await checkInvariants({ db, served: servedIds(), published: new Set(fake.posts.map((p) => p.id)), relevant, twcsFile, configFile: cfg, receiver, cutoff: new Date(stoppedAt.getTime() - 15_000), settledAt: stoppedAt, dir });
    return {
      report,
      faults,
      served: servedIds().size,
      workers: procs.map((p) => ({ name: p.name, starts: p.starts, kills: p.kills, jobs: Object.fromEntries(p.completedJobs()) })),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const p of procs) await p.kill();
    await db?.destroy();
    await fake?.stop();
    await receiver?.stop();
    await pgServer.stop().catch(() => {});
    if (!process.env.CHAOS_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Posts the fake serves to some watched handle: authored by it, or mentioning it. */
function relevantIds(fake: FakeX, handles: string[]): Set<string> {
  const names = new Set(handles.map((h) => h.toLowerCase()));
  const ids = new Set(handles.map((h) => fake.userByName(h)!.id));
  return new Set(fake.posts.filter((p) => ids.has(p.author_id!) || (p.entities?.mentions ?? []).some((m) => names.has(m.username.toLowerCase()))).map((p) => p.id));
}

async function counts(db: Db, relevant: Set<string>, served: Set<string>) {
  const stored = new Set((await sql<{ id: string }>`select id::text as id from tweets`.execute(db)).rows.map((r) => r.id));
  const missing = [...relevant].filter((id) => !stored.has(id)).length;
  const unserved = [...relevant].filter((id) => !served.has(id)).length;
  const behind = (
    await sql<{ n: string }>`
      select count(*)::text as n from tweet_handles where not analyzed`.execute(db)
  ).rows[0]!.n;
  const deliveries = (await sql<{ n: string }>`select count(*)::text as n from deliveries where state not in ('sent', 'dead', 'digested')`.execute(db)).rows[0]!.n;
  const stale = (await sql<{ n: string }>`select count(*)::text as n from graphile_worker._private_jobs where locked_at is not null and locked_at < now() - interval '20 seconds'`.execute(db)).rows[0]!.n;
  const dueDeadlines = (
    await sql<{ n: string }>`
      select count(*)::text as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier in ('check_deadline', 'deliver_alert', 'analyze_handle') and j.run_at < now() - interval '5 seconds' and j.attempts < j.max_attempts`.execute(db)
  ).rows[0]!.n;
  return { missing, unserved, behind: Number(behind), deliveries: Number(deliveries), stale: Number(stale), dueDeadlines: Number(dueDeadlines) };
}

async function settled(db: Db, relevant: Set<string>, served: Set<string>): Promise<boolean> {
  const c = await counts(db, relevant, served);
  return c.missing === 0 && c.unserved === 0 && c.behind === 0 && c.deliveries === 0 && c.stale === 0 && c.dueDeadlines === 0;
}

async function describeState(db: Db, relevant: Set<string>, served: Set<string>): Promise<string> {
  return JSON.stringify(await counts(db, relevant, served));
}
