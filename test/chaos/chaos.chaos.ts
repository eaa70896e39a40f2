// The full chaos run (npm run test:chaos): workers SIGKILLed at random, PostgreSQL restarted, X failing, the webhook down; then every invariant.
import { describe, expect, it } from 'vitest';
import { runChaos } from './scenario.ts';

const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);

describe('chaos', () => {
  it(`loses nothing and sends once through kills, restarts and outages (seed ${seed})`, async () => {
    const result = await runChaos({
      seed,
      handles: Number(process.env.CHAOS_HANDLES ?? 6),
      tweets: Number(process.env.CHAOS_TWEETS ?? 2500),
      historyMinutes: 30,
      chaosSeconds: Number(process.env.CHAOS_SECONDS ?? 120),
      workers: 3,
      killEverySeconds: 4,
      pgRestarts: 2,
      webhookOutageSeconds: 20,
      settleSeconds: 240,
      log: (m) => process.stderr.write(m + '\n'),
    });
    process.stderr.write(`chaos result (seed ${seed}): ${JSON.stringify({ faults: result.faults, counts: result.report.counts, workers: result.workers, seconds: result.seconds }, null, 1)}\n`);
    expect(result.report.violations).toEqual([]);
    // The run must actually have exercised the system.
    expect(result.faults.kills).toBeGreaterThan(10);
    expect(result.faults.pgRestarts).toBe(2);
    expect(result.report.counts.cases).toBeGreaterThan(100);
    expect(result.report.counts.alerts).toBeGreaterThan(10);
  });
});
