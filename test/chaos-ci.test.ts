// A trimmed chaos run that fits CI time (the full one is `npm run test:chaos`): two workers SIGKILLed, one PostgreSQL restart, X faults, a webhook outage.
import { describe, expect, it } from 'vitest';
import { runChaos } from './chaos/scenario.ts';

describe('chaos (trimmed for CI)', () => {
  it('stores every served tweet once, raises and delivers every due alert once, leaves nothing in flight', async () => {
    const seed = 4242;
    const result = await runChaos({
      seed,
      handles: 4,
      tweets: 1200,
      historyMinutes: 20,
      chaosSeconds: 30,
      workers: 2,
      killEverySeconds: 5,
      pgRestarts: 1,
      webhookOutageSeconds: 8,
      settleSeconds: 240,
    });
    const broken = result.report.violations;
    expect(broken, JSON.stringify({ broken, counts: result.report.counts, faults: result.faults, seed })).toEqual([]);
    expect(result.faults.kills).toBeGreaterThanOrEqual(3);
    expect(result.faults.pgRestarts).toBe(1);
    expect(result.report.counts.stored).toBeGreaterThan(200);
    expect(result.report.counts.casesCompared).toBeGreaterThan(50);
    expect(result.report.counts.alerts).toBeGreaterThan(10);
    expect(result.report.counts.deliveries).toBe(2 * result.report.counts.alerts!);
  }, 600_000);
});
