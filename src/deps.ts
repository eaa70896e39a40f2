// Owns the one dependency bag that main.ts builds and passes down (no module singletons).
import type pg from 'pg';
import type { Config } from './config.ts';
import type { Db } from './db/connect.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

export type Clock = () => Date;

export interface Deps {
  config: Config;
  db: Db;
  /** The pool behind `db`, for graphile-worker and LISTEN/NOTIFY. */
  pool: pg.Pool;
  /** Connection string of the database (graphile-worker needs it for its own listener). */
  databaseUrl: string;
  log: Logger;
  clock: Clock;
  /** Set by the runtime once migrations and workers are up; read by /readyz. */
  readiness: Readiness;
  /** Prometheus registry shared by the API's /metrics and any worker that records a gauge in-process. */
  metrics?: Metrics;
}

export interface Readiness {
  migrated: boolean;
  workers: Set<string>;
  roles: Set<string>;
}

export const systemClock: Clock = () => new Date();
