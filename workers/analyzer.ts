// Owns the analyzer role: the jobs that turn tweets into cases and watch their deadlines, plus the periodic silence check.
import type { WorkerModule } from './registry.ts';
import { ANALYZE_HANDLE, analyzeHandleTask } from './analyze-handle.ts';
import { CHECK_DEADLINE, checkDeadlineTask } from './check-deadline.ts';

export const analyzer: WorkerModule = {
  role: 'analyzer',
  tasks: (deps) => ({
    [ANALYZE_HANDLE]: analyzeHandleTask(deps),
    [CHECK_DEADLINE]: checkDeadlineTask(deps),
  }),
};
