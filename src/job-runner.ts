// Owns the graphile-worker runner's life: start it, and start it again when its workers die with the database.
import { run, type Runner, type RunnerOptions, type WorkerEvents } from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from './log.ts';
import { abortableSleep } from './sleep.ts';
import { probeDatabase } from './db/connect.ts';

export interface SupervisedRunner {
  stop(): Promise<void>;
  /** How many times the runner was started again after a fatal worker error (for tests and /metrics). */
  readonly restarts: number;
}

export interface SupervisedRunnerOptions {
  /** Passed to graphile-worker's run() unchanged on every start; `events` must be the emitter given below. */
  options: RunnerOptions & { pgPool: pg.Pool; events: WorkerEvents };
  log: Logger;
  /** Called when the runner goes down (its jobs wait in the queue) and when it is back. */
  onDown?: () => void;
  onUp?: () => void;
  /** First wait before asking the database again; doubles up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** How long each `select 1` may take before the database counts as down (a silent partition must not hang the loop). */
  probeTimeoutMs?: number;
}

/**
 * graphile-worker 0.16 does not replace a worker that died of a fatal error ("Worker exited, but pool is in
 * continuous mode... Did something go wrong?"): after a PostgreSQL restart the runner stays up with fewer workers,
 * or none, and jobs stop running while the process looks alive. So on any worker's fatal error this stops the
 * runner, waits until the database answers again, and starts a new one; jobs wait in the queue meanwhile, and jobs
 * the dead workers held are freed by job-liveness.ts once their workers are gone.
 */
export async function startSupervisedRunner(o: SupervisedRunnerOptions): Promise<SupervisedRunner> {
  const log = o.log.child({ name: 'job-runner' });
  const minDelay = o.minDelayMs ?? 500;
  const maxDelay = o.maxDelayMs ?? 30_000;
  let runner: Runner | undefined = await run(o.options);
  let restarting: Promise<void> | undefined;
  let restarts = 0;
  const stopping = new AbortController();

  const restart = async (cause: unknown) => {
    log.error({ err: cause }, 'a job worker died (database connection lost?): restarting the job runner once the database answers; queued jobs wait meanwhile');
    o.onDown?.();
    const old = runner;
    runner = undefined;
    await old?.stop().catch((err: unknown) => log.warn({ err }, 'stopping the failed job runner did not finish cleanly'));
    for (let delay = minDelay; !stopping.signal.aborted; delay = Math.min(delay * 2, maxDelay)) {
      try {
        await probeDatabase(o.options.pgPool, o.probeTimeoutMs);
        runner = await run(o.options);
        restarts++;
        log.info({ restarts }, 'job runner restarted');
        o.onUp?.();
        return;
      } catch (err) {
        log.warn({ err, retryInMs: delay }, 'database not answering yet; the job runner stays stopped');
        await abortableSleep(delay, stopping.signal);
      }
    }
  };

  const onFatal = ({ error }: { error: unknown }) => {
    if (restarting || stopping.signal.aborted) return;
    restarting = restart(error).finally(() => {
      restarting = undefined;
    });
  };
  o.options.events.on('worker:fatalError', onFatal);

  return {
    get restarts() {
      return restarts;
    },
    async stop() {
      stopping.abort();
      o.options.events.off('worker:fatalError', onFatal);
      await restarting;
      await runner?.stop();
      runner = undefined;
    },
  };
}
