// Starts a real notifier for a test: fresh migrated database, seeded config, graphile-worker runner with the notifier tasks.
import os from 'node:os';
import { Writable } from 'node:stream';
import { run, Logger as GraphileLogger, type Runner } from 'graphile-worker';
import { loadConfig, parseFileConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { syncConfig } from '../../src/db/config.repository.ts';
import { systemClock, type Deps } from '../../src/deps.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { notifier } from '../../workers/notifier.ts';

export const FAST_ENV = {
  ALLOW_PRIVATE_NETWORKS: '1',
  DELIVERY_RETRY_BASE_MS: '100',
  DELIVERY_RETRY_MAX_MS: '400',
  DELIVERY_TIMEOUT_MS: '2000',
  DELIVERY_LEASE_MS: '3000',
  DELIVERY_CHANNEL_INTERVAL_MS: '0',
  DIGEST_WINDOW_SECONDS: '2',
  DIGEST_THRESHOLD_PER_MINUTE: '1000',
  LOG_LEVEL: 'info',
};

export function makeConfig(env: Record<string, string>, file: unknown): Config {
  const e = { ...FAST_ENV, ...env };
  const base = loadConfig(e, os.tmpdir());
  return { ...base, file: parseFileConfig(file, e) } as Config;
}

export interface Notifier {
  t: TestDb;
  deps: Deps;
  logs: any[];
  runner?: Runner;
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

/** A database with the config seeded; `startWorkers` runs the notifier role as the service would. */
export async function createNotifier(env: Record<string, string>, file: unknown, opts: { t?: TestDb } = {}): Promise<Notifier> {
  const t = opts.t ?? (await createTestDb());
  const config = makeConfig(env, file);
  const logs: any[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      cb();
    },
  });
  const log = createLogger('info', stream);
  await syncConfig(t.db, config.file);
  const deps: Deps = { config, db: t.db, pool: t.pool, databaseUrl: t.url, log, clock: systemClock, readiness: { migrated: true, workers: new Set(), roles: new Set() } };
  let stopLoop: (() => Promise<void>) | undefined;
  const n: Notifier = {
    t,
    deps,
    logs,
    async startWorkers() {
      n.runner = await run({ pgPool: t.pool, taskList: notifier.tasks!(deps), concurrency: 5, pollInterval: 100, noHandleSignals: true, logger: new GraphileLogger(() => () => {}) });
      stopLoop = await notifier.start!(deps);
    },
    async stopWorkers() {
      await stopLoop?.();
      await n.runner?.stop();
      n.runner = undefined;
    },
    async close() {
      await n.stopWorkers();
      if (!opts.t) await t.destroy();
    },
  };
  return n;
}

/** Polls the database until `fn` returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 25_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
