// Lists every worker module; a new worker file is added here.
import type { Role, WorkerModule } from './registry.ts';
import { notifier } from './notifier.ts';
import { pollerModule } from './poller.ts';
import { analyzer } from './analyzer.ts';

export const WORKERS: WorkerModule[] = [notifier, pollerModule, analyzer];

export function workersFor(roles: Iterable<Role>): WorkerModule[] {
  const wanted = new Set(roles);
  return WORKERS.filter((m) => wanted.has(m.role));
}
