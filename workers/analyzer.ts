// Owns the analyzer role: the jobs that turn tweets into cases and watch their deadlines, plus the periodic silence check.
import type { WorkerModule } from './registry.ts';
import { ANALYZE_HANDLE, analyzeHandleTask } from './analyze-handle.ts';
import { CHECK_DEADLINE, checkDeadlineTask } from './check-deadline.ts';
import { DETECT_SURGE, detectSurgeTask } from './detect-surge.ts';
import { CHECK_SILENCE, checkSilenceTask } from './check-silence.ts';
import { CLOSE_QUIET, closeQuietTask } from './close-quiet.ts';

export const analyzer: WorkerModule = {
  role: 'analyzer',
  tasks: (deps) => ({
    [ANALYZE_HANDLE]: analyzeHandleTask(deps),
    [CHECK_DEADLINE]: checkDeadlineTask(deps),
    [DETECT_SURGE]: detectSurgeTask(deps),
    [CHECK_SILENCE]: checkSilenceTask(deps),
    [CLOSE_QUIET]: closeQuietTask(deps),
  }),
  // Silence needs a clock tick (nothing arrives to trigger it); once a minute is the rule's resolution.
  cron: [
    { task: CHECK_SILENCE, match: '* * * * *', identifier: CHECK_SILENCE },
    // Quiet periods are hours long; closing within ten minutes of the moment is plenty.
    { task: CLOSE_QUIET, match: '*/10 * * * *', identifier: CLOSE_QUIET, options: { backfillPeriod: 0, maxAttempts: 3 } },
  ],
};
