// Proves three worker processes on one database give the same cases, alerts and deliveries as one, with the jobs spread between them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from './helpers/db.ts';
import { runCli } from './helpers/cli.ts';
import { startReceiver, type FakeReceiver } from './fakes/receiver.ts';
import { WorkerProcess, waitUntil } from './chaos/harness.ts';
import { routeLinks } from './sla/twcs-load.ts';
import { loadCorpusModel, writeCorpus } from '../src/sources/twcs-generator.ts';
import { DEFAULT_SAMPLE } from '../src/cli/gen.ts';
import { readTwcs } from '../src/sources/twcs.ts';
import { compareTweets } from '../src/domain/analysis.ts';
import { watchList } from '../src/domain/routing.ts';
import type { Tweet } from '../src/domain/types.ts';
import { upsertTweets } from '../src/db/tweet.repository.ts';
import { addJob } from '../src/db/jobs.ts';
import { ANALYZE_TASK } from '../src/db/ingest.repository.ts';
import { CHAOS_SECRET } from './chaos/scenario.ts';

const HANDLES = 6;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-multi-'));
let tweets: Tweet[];

interface RunResult {
  cases: string[];
  alerts: string[];
  deliveries: string[];
  receivedPerAlertChannel: number[];
  jobsPerProcess: Map<string, number>[];
}

function configYaml(handles: string[], url: string): string {
  return [
    'policies:',
    '  - { name: multi, firstResponseMinutes: 2, nextResponseMinutes: 2, clock: wall, warnRatios: [0.5], unansweredHorizonMinutes: 4, silentAfterMinutes: 100000 }',
    'teams:',
    '  - { name: multi, calendar: always, policy: multi }',
    'handles:',
    ...handles.map((h) => `  - { handle: ${h}, team: multi, policy: multi }`),
    'channels:',
    `  - { name: hook-a, type: webhook, url: "${url}/a", secret: ${CHAOS_SECRET} }`,
    `  - { name: hook-b, type: webhook, url: "${url}/b", secret: ${CHAOS_SECRET} }`,
    'routes:',
    '  - { name: all, channels: [hook-a, hook-b] }',
    '',
  ].join('\n');
}

/** Loads the corpus in time order (as a live poller would deliver it), then lets `workers` processes do everything else. */
async function runWith(workers: number): Promise<RunResult> {
  const t: TestDb = await createTestDb({ migrate: false });
  const receiver: FakeReceiver = await startReceiver();
  const procs: WorkerProcess[] = [];
  try {
    const handles = [...new Set(tweets.filter((x) => x.isBrand).map((x) => x.authorId))];
    const cfg = path.join(dir, `config-${workers}.yaml`);
    fs.writeFileSync(cfg, configYaml(handles, receiver.url));
    const env = {
      DATABASE_URL: t.url,
      REPLYWATCH_CONFIG: cfg,
      REPLYWATCH_DATA_DIR: path.join(dir, `data-${workers}`),
      REPLAY_ENABLED: '0',
      ALLOW_PRIVATE_NETWORKS: '1',
      DELIVERY_CHANNEL_INTERVAL_MS: '0',
      DIGEST_THRESHOLD_PER_MINUTE: '1000000',
      WORKER_CONCURRENCY: '3',
      PORT: '0',
    };
    const migrated = await runCli(['migrate'], { env: { ...env, LOG_LEVEL: 'warn' } });
    expect(migrated.code, migrated.stderr).toBe(0);
    const ids = new Map((await t.db.selectFrom('handles').select(['id', 'handle']).execute()).map((h) => [h.handle, h.id]));
    const links = routeLinks(tweets, watchList(handles), ids);
    for (let i = 0; i < tweets.length; i += 2000) await upsertTweets(t.db, tweets.slice(i, i + 2000).map((tweet) => ({ tweet })), 'twcs');
    await t.db.insertInto('tweet_handles').values(links.map((l) => ({ handle_id: l.handleId, tweet_id: l.tweetId, role: l.role, created_at: l.createdAt }))).execute();
    for (const id of ids.values()) await addJob(t.db, ANALYZE_TASK, { handleId: id }, { jobKey: `${ANALYZE_TASK}:${id}` });

    const logDir = path.join(dir, `logs-${workers}`);
    fs.mkdirSync(logDir, { recursive: true });
    for (let i = 0; i < workers; i++) procs.push(new WorkerProcess(`w${i + 1}`, ['analyzer', 'notifier'], env, logDir));
    for (const p of procs) p.start();
    await waitUntil(
      async () => {
        const r = await sql<{ behind: string; inflight: string; due: string; alerts: string }>`
          select
            (select count(*) from tweet_handles where not analyzed)::text as behind,
            (select count(*) from deliveries where state not in ('sent', 'dead', 'digested'))::text as inflight,
            (select count(*) from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id
              where k.identifier in ('analyze_handle', 'check_deadline', 'deliver_alert') and j.run_at < now())::text as due,
            (select count(*) from alerts)::text as alerts`.execute(t.db);
        const row = r.rows[0]!;
        return Number(row.behind) === 0 && Number(row.inflight) === 0 && Number(row.due) === 0 && Number(row.alerts) > 0;
      },
      { timeoutMs: 240_000, what: `${workers} worker(s) to finish` },
    );
    for (const p of procs) await p.stopGracefully();

    const cases = (
      await t.db
        .selectFrom('cases')
        .select(['case_key', 'state', 'first_response_seconds', 'next_response_seconds', 'customer_tweets', 'brand_replies', 'nudges', 'flags'])
        .orderBy('case_key')
        .execute()
    ).map((c) => JSON.stringify(c));
    // Case ids are serials assigned in processing order, which differs between runs: name cases by their key instead.
    const caseKeys = new Map((await t.db.selectFrom('cases').select(['id', 'case_key']).execute()).map((c) => [c.id, c.case_key]));
    const alertRows = await t.db.selectFrom('alerts').select(['id', 'dedup_key', 'kind', 'severity', 'state', 'due_at', 'case_id']).execute();
    // Only the key's case id part (the second) is renamed: a sequence number can equal a case id.
    const stableKey = (a: (typeof alertRows)[number]) => (a.case_id ? a.dedup_key.split(':').map((part, i) => (i === 1 && part === a.case_id ? caseKeys.get(a.case_id) : part)).join(':') : a.dedup_key);
    const alerts = alertRows.map((a) => JSON.stringify({ key: stableKey(a), kind: a.kind, severity: a.severity, state: a.state, due_at: a.due_at })).sort();
    const byId = new Map(alertRows.map((a) => [a.id, stableKey(a)]));
    const deliveryRows = await t.db.selectFrom('deliveries').select(['alert_id', 'channel', 'level', 'state']).execute();
    const deliveries = deliveryRows.map((d) => `${byId.get(d.alert_id)}|${d.channel}|${d.level}|${d.state}`).sort();
    const perAlertChannel = new Map<string, Set<string>>();
    for (const r of receiver.requests) {
      const key = `${r.json?.alert?.id}|${r.path}`;
      perAlertChannel.set(key, (perAlertChannel.get(key) ?? new Set()).add(r.deliveryId ?? ''));
    }
    return { cases, alerts, deliveries, receivedPerAlertChannel: [...perAlertChannel.values()].map((s) => s.size), jobsPerProcess: procs.map((p) => p.completedJobs()) };
  } finally {
    for (const p of procs) await p.kill();
    await receiver.stop();
    await t.destroy();
  }
}

let one: RunResult;
let three: RunResult;

beforeAll(async () => {
  // Conversations that ended at least ten minutes ago: every deadline (at most four minutes) is already due, in both runs.
  const now = Date.now();
  const file = path.join(dir, 'corpus.csv');
  await writeCorpus(await loadCorpusModel(DEFAULT_SAMPLE), { tweets: 1500, handles: HANDLES, seed: 5, startMs: now - 3 * 3600_000, spanMs: 2 * 3600_000, uniform: true, format: 'twcs' }, file);
  tweets = [];
  for await (const b of readTwcs(file)) tweets.push(...b.filter((x) => x.createdAt.getTime() < now - 10 * 60_000));
  tweets.sort(compareTweets);
  one = await runWith(1);
  three = await runWith(3);
}, 600_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('three worker processes on one database', () => {
  it('give the same cases as one', () => {
    expect(one.cases.length).toBeGreaterThan(200);
    expect(three.cases).toEqual(one.cases);
  });

  it('raise the same alerts', () => {
    expect(one.alerts.length).toBeGreaterThan(50);
    expect(three.alerts).toEqual(one.alerts);
  });

  it('make the same deliveries, each received under one delivery id per alert and channel', () => {
    expect(three.deliveries).toEqual(one.deliveries);
    expect(one.deliveries.every((d) => d.endsWith('|sent'))).toBe(true);
    expect(one.receivedPerAlertChannel.every((n) => n === 1)).toBe(true);
    expect(three.receivedPerAlertChannel.every((n) => n === 1)).toBe(true);
    expect(three.receivedPerAlertChannel.length).toBe(one.receivedPerAlertChannel.length);
  });

  it('spread the jobs over all three processes', () => {
    const totals = three.jobsPerProcess.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
    const all = totals.reduce((a, b) => a + b, 0);
    expect(all).toBeGreaterThan(100);
    for (const n of totals) expect(n).toBeGreaterThan(all * 0.1);
    // Each kind of heavy job ran on more than one process.
    for (const task of ['check_deadline', 'deliver_alert']) expect(three.jobsPerProcess.filter((m) => (m.get(task) ?? 0) > 0).length).toBeGreaterThan(1);
  });
});
