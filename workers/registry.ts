// Owns the shape of a worker module: the graphile-worker tasks, cron items and background loops a role runs.
import type { CronItem, TaskList } from 'graphile-worker';
import type { Deps } from '../src/deps.ts';

export const ROLES = ['poller', 'analyzer', 'notifier', 'api'] as const;
export type Role = (typeof ROLES)[number];

export interface WorkerModule {
  role: Role;
  /** Job handlers, keyed by task name (a verb matching the file: `poll_handle` in poll-handle.ts). */
  tasks?: (deps: Deps) => TaskList;
  cron?: CronItem[];
  /** Long-running work outside the queue (e.g. a replay loop); returns its stop function. */
  start?: (deps: Deps) => Promise<() => Promise<void>>;
}
