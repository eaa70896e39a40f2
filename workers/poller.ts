// Owns the poller role: the poll_handle and ensure_poll_jobs tasks, their cron, and the start hook (poll jobs, or replay without X).
import type { WorkerModule } from './registry.ts';
import { pollHandleTask, POLL_TASK } from './poll-handle.ts';
import { ensurePollJobs, ensurePollJobsTask, ENSURE_TASK } from './ensure-poll-jobs.ts';
import { startReplay } from './replay.ts';
import { resetStoppedHealth } from '../src/db/handle.repository.ts';

export const pollerModule: WorkerModule = {
  role: 'poller',
  tasks: (deps) => ({ [POLL_TASK]: pollHandleTask(deps), [ENSURE_TASK]: ensurePollJobsTask(deps) }),
  // A lost job (deleted by hand, failed for good) is back within five minutes.
  cron: [{ task: ENSURE_TASK, match: '*/5 * * * *', identifier: ENSURE_TASK, options: { backfillPeriod: 0, maxAttempts: 1 } }],
  start: async (deps) => {
    const stops: Array<() => Promise<void>> = [];
    if (deps.config.x.bearerToken) {
      // A restart may come with a new token: handles stopped on 401/403 get one more try.
      const reset = await resetStoppedHealth(deps.db);
      const n = await ensurePollJobs(deps);
      deps.log.info({ handles: n, retried: reset, mode: deps.config.x.mode }, 'polling X');
    }
    if (deps.config.replay.enabled) stops.push(await startReplay(deps));
    return async () => {
      for (const stop of stops) await stop();
    };
  },
};
