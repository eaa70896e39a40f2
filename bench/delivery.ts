// Measures deadline → alert row → webhook delivered, end to end: 10k open cases, a real `replywatch worker` process, a real local webhook receiver.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { ensureHandles } from '../src/db/handle.repository.ts';
import { ingestBatch } from '../src/db/ingest.repository.ts';
import { syncConfig } from '../src/db/config.repository.ts';
import { loadConfig } from '../src/config.ts';
import type { TweetRecord } from '../src/domain/x-tweet.ts';
import type { TweetLink } from '../src/db/tweet.repository.ts';
import { startReceiver } from '../test/fakes/receiver.ts';
import { atMost, benchDatabase, info, isMain, percentile, printResults, ROOT, sized, stopBenchServer, type BenchResult } from './lib.ts';

const TARGET_MIN = 120;

export async function run(): Promise<BenchResult[]> {
  const open = sized(10_000, 1_000);
  const due = sized(1_000, 100);
  const windowS = sized(60, 20);
  const headStartS = sized(120, 40);
  const handles = 20;
  const bdb = await benchDatabase({ poolSize: 4 });
  const receiver = await startReceiver();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-bench-delivery-'));
  try {
    const names = Array.from({ length: handles }, (_, i) => `DeliveryHelp${i}`);
    const cfg = path.join(dir, 'replywatch.config.yaml');
    fs.writeFileSync(
      cfg,
      [
        'policies:',
        `  - { name: bench, clock: wall, firstResponseMinutes: ${TARGET_MIN}, warnRatios: [], unansweredHorizonMinutes: 100000 }`,
        'teams:',
        '  - { name: bench, calendar: always, policy: bench }',
        'handles:',
        ...names.map((h) => `  - { handle: ${h}, team: bench, policy: bench }`),
        'channels:',
        `  - { name: hook, type: webhook, url: "${receiver.url}/hook", secret: bench-webhook-secret-0123456789 }`,
        'routes:',
        '  - { name: all, channels: [hook] }',
        '',
      ].join('\n'),
    );
    const env: Record<string, string> = {
      DATABASE_URL: bdb.url,
      REPLYWATCH_CONFIG: cfg,
      REPLYWATCH_DATA_DIR: dir,
      REPLAY_ENABLED: '0',
      LOG_LEVEL: 'warn',
      PORT: '0',
      ALLOW_PRIVATE_NETWORKS: '1',
      // A webhook has no Slack-style one-a-second limit; digests would fold the burst instead of timing each alert.
      DELIVERY_CHANNEL_INTERVAL_MS: '0',
      DIGEST_THRESHOLD_PER_MINUTE: '1000000',
    };
    await syncConfig(bdb.db, loadConfig(env, dir).file);
    const ids = await ensureHandles(bdb.db, names);

    // `due` customers fall due inside the window starting at T0; the rest wait, due over the next two hours.
    const t0 = Date.now() + headStartS * 1000;
    const targetMs = TARGET_MIN * 60_000;
    const records: TweetRecord[] = [];
    const links: TweetLink[] = [];
    for (let i = 0; i < open; i++) {
      const dueAt = i < due ? t0 + Math.floor((i * windowS * 1000) / due) : t0 + windowS * 1000 + 60_000 + Math.floor(((i - due) * (targetMs - windowS * 1000 - 120_000 - headStartS * 1000)) / (open - due));
      const created = Math.floor((dueAt - targetMs) / 1000) * 1000;
      const handle = names[i % handles]!;
      records.push({ tweet: { id: String(5_000_000 + i), authorId: String(700_000 + i), text: `@${handle} my parcel has not arrived, can you check?`, createdAt: new Date(created), mentions: [handle], isBrand: false } });
      links.push({ handleId: ids.get(handle)!, tweetId: String(5_000_000 + i), role: 'customer', createdAt: new Date(created) });
    }
    for (let i = 0; i < records.length; i += 2000) await ingestBatch(bdb.db, { source: 'bench', records: records.slice(i, i + 2000), links: links.slice(i, i + 2000) });

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'main.ts'), 'worker', '--only', 'analyzer', 'notifier'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      // The analyzer must have planned every timer before the first one falls due.
      for (;;) {
        const r = await sql<{ n: string }>`select count(*)::text as n from cases where next_due_at is not null`.execute(bdb.db);
        if (Number(r.rows[0]!.n) >= open) break;
        if (Date.now() > t0 - 5000) throw new Error(`the analyzer planned ${r.rows[0]!.n} of ${open} timers before the first was due; raise the head start`);
        await new Promise((res) => setTimeout(res, 500));
      }
      const breaches = (reqs: typeof receiver.requests) => new Set(reqs.filter((r) => r.json?.alert?.kind === 'sla_breach').map((r) => r.json.alert.id)).size;
      await receiver.waitFor((reqs) => breaches(reqs) >= due, (headStartS + windowS + 120) * 1000, `${due} breach deliveries`);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const alerts = await sql<{ id: string; ms: number }>`select id::text as id, extract(epoch from (raised_at - due_at)) * 1000 as ms from alerts where kind = 'sla_breach'`.execute(bdb.db);
    const rowMs = alerts.rows.map((r) => Number(r.ms));
    const firstArrival = new Map<string, number>();
    for (const r of receiver.requests) {
      const a = r.json?.alert as { id?: string; kind?: string; dueAt?: string } | undefined;
      if (!a?.id || a.kind !== 'sla_breach' || !a.dueAt || firstArrival.has(String(a.id))) continue;
      firstArrival.set(String(a.id), r.at - Date.parse(a.dueAt));
    }
    const deliveredMs = [...firstArrival.values()];
    const note = `${open.toLocaleString('en-US')} open cases, ${due} falling due over ${windowS} s, one worker process (analyzer + notifier, concurrency 5), webhook on 127.0.0.1`;
    return [
      info('deadline → alert row p50 (end to end)', percentile(rowMs, 50), 'ms', note),
      atMost('deadline → alert row p99 (end to end)', percentile(rowMs, 99), 'ms', 2000),
      info('deadline → webhook delivered p50', percentile(deliveredMs, 50), 'ms', `${deliveredMs.length} breach alerts received; ${receiver.requests.length} webhook requests in all`),
      atMost('deadline → webhook delivered p99', percentile(deliveredMs, 99), 'ms', 3000),
    ];
  } finally {
    await receiver.stop();
    await bdb.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
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
