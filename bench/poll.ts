// Measures poll-to-stored lag: posts appear on the fake X server as their time comes, and the poller (real process code, real rate-limit headers) stores them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { startService } from '../src/runtime.ts';
import { readXFixture } from '../src/sources/x-fixture.ts';
import type { XPost } from '../src/domain/x-tweet.ts';
import { startFakeX } from '../test/fakes/fake-x.ts';
import { benchDatabase, generatedCorpus, info, isMain, percentile, printResults, sized, stopBenchServer, type BenchResult } from './lib.ts';

interface Scenario {
  handles: number;
  /** Posts per second across all handles while the bench runs. */
  rate: number;
  seconds: number;
}

async function scenario(s: Scenario): Promise<BenchResult[]> {
  const bdb = await benchDatabase();
  const now = Date.now();
  // Ten minutes of history (the first poll backfills it), then live posts published as their time comes.
  const historyMs = 10 * 60_000;
  const spanMs = historyMs + s.seconds * 1000 + 60_000;
  const file = await generatedCorpus({ tweets: Math.round((s.rate * spanMs) / 1000), handles: s.handles, format: 'x-json', seed: 11, startMs: now - historyMs, days: spanMs / 86_400_000, uniform: true });
  const fixture = await readXFixture(file);
  const handles = fixture.users.slice(0, s.handles).map((u) => u.username);
  const all = fixture.posts.sort((a, b) => Date.parse(a.created_at!) - Date.parse(b.created_at!));
  const due = (p: XPost) => Date.parse(p.created_at!) <= Date.now();
  const fake = await startFakeX({ users: fixture.users, posts: all.filter(due) });
  let pending = all.filter((p) => !due(p));
  const published = new Map<string, number>();
  const pump = setInterval(() => {
    const t = Date.now();
    let i = 0;
    while (i < pending.length && Date.parse(pending[i]!.created_at!) <= t) {
      fake.posts.push(pending[i]!);
      published.set(pending[i]!.id, t);
      i++;
    }
    pending = pending.slice(i);
  }, 50);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-bench-poll-'));
  const cfg = path.join(dir, 'replywatch.config.yaml');
  fs.writeFileSync(cfg, ['teams:', '  - name: bench', '    calendar: always', 'handles:', ...handles.map((h) => `  - { handle: ${h}, team: bench }`)].join('\n') + '\n');
  const config = loadConfig(
    {
      DATABASE_URL: bdb.url,
      REPLYWATCH_CONFIG: cfg,
      REPLYWATCH_DATA_DIR: dir,
      X_BEARER_TOKEN: 'bench-token',
      X_API_BASE_URL: fake.url,
      X_API_ALLOW_HTTP: '1',
      X_POLL_MIN_INTERVAL_SECONDS: '1',
      X_POLL_MAX_INTERVAL_SECONDS: '60',
      X_BACKFILL_HOURS: '1',
      REPLAY_ENABLED: '0',
      PORT: '0',
      LOG_LEVEL: 'warn',
    },
    dir,
  );
  const service = await startService(['poller'], { config, log: createLogger('warn') });
  const started = Date.now();
  await new Promise((r) => setTimeout(r, s.seconds * 1000));
  clearInterval(pump);
  // Let the last published posts be polled (at most one planned interval), then read when each was stored.
  const lastPublished = Date.now();
  const watched = new Set(fixture.users.slice(0, s.handles).map((u) => u.id));
  const names = new Set(handles.map((h) => h.toLowerCase()));
  const byId = new Map(all.map((p) => [p.id, p]));
  const relevant = [...published.keys()].filter((id) => {
    const p = byId.get(id)!;
    return watched.has(p.author_id!) || (p.entities?.mentions ?? []).some((m) => names.has(m.username.toLowerCase()));
  });
  let stored = new Map<string, number>();
  while (Date.now() - lastPublished < 120_000) {
    const rows = await sql<{ id: string; at: Date }>`select id::text as id, ingested_at as at from tweets where ingested_at >= ${new Date(started - 1000)}`.execute(bdb.db);
    stored = new Map(rows.rows.map((r) => [r.id, r.at.getTime()]));
    if (relevant.every((id) => stored.has(id))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const polls = fake.requests.filter((r) => r.path.endsWith('/mentions') && r.status === 200).length;
  await service.stop();
  await fake.stop();
  await bdb.destroy();
  fs.rmSync(dir, { recursive: true, force: true });

  const lags = relevant.filter((id) => stored.has(id)).map((id) => (stored.get(id)! - published.get(id)!) / 1000);
  const missing = relevant.length - lags.length;
  const label = `poll-to-stored lag, ${s.handles} handle${s.handles > 1 ? 's' : ''} at X's 450 mentions requests/15 min`;
  const bound = (2 * s.handles).toFixed(0);
  const note = `${lags.length} live posts over ${s.seconds} s, ${polls} mentions polls; freshness bound from the rate limit ≈ 2·H = ${bound} s${missing ? `; ${missing} NOT stored` : ''}`;
  return [info(`${label}: p50`, percentile(lags, 50), 's', note), info(`${label}: p99`, percentile(lags, 99), 's')];
}

export async function run(): Promise<BenchResult[]> {
  const seconds = sized(90, 20);
  return [...(await scenario({ handles: 1, rate: 2, seconds })), ...(await scenario({ handles: 10, rate: 10, seconds }))];
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
