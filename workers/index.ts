// Lists every worker module; a new worker file is added here.
import type { Role, WorkerModule } from './registry.ts';

export const WORKERS: WorkerModule[] = [];

export function workersFor(roles: Iterable<Role>): WorkerModule[] {
  const wanted = new Set(roles);
  return WORKERS.filter((m) => wanted.has(m.role));
}
