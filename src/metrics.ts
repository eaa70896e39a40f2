// Owns the Prometheus registry: request latency recorded by the API, and gauges read from the database at scrape time.
import { Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from './db/connect.ts';
import { queueDepth } from './db/jobs.ts';
import { alertsByKindState, deliveriesByState, deliveriesFailed, openCasesByHandle, pausedChannels, pollTimes, tweetsStored, xRateLimits } from './db/metrics.repository.ts';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Set in-process by the poller from `x-rate-limit-remaining`; also filled from `x_rate_limits` if that table exists. */
  xRateLimitRemaining: Gauge<'endpoint'>;
}

export function createMetrics(db: Db, clock: () => Date = () => new Date()): Metrics {
  const registry = new Registry();
  const registers = [registry];

  const httpDuration = new Histogram({
    name: 'replywatch_http_request_duration_seconds',
    help: 'API request latency by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });

  new Gauge({
    name: 'replywatch_tweets_ingested',
    help: 'Tweets stored (ingested from X or a replay)',
    registers,
    async collect() {
      this.set(await tweetsStored(db));
    },
  });

  new Gauge({
    name: 'replywatch_poll_lag_seconds',
    help: 'Seconds since each active handle was last polled (absent: never polled)',
    labelNames: ['handle'] as const,
    registers,
    async collect() {
      this.reset();
      const now = clock().getTime();
      for (const h of await pollTimes(db)) if (h.last_polled_at) this.set({ handle: h.handle }, (now - h.last_polled_at.getTime()) / 1000);
    },
  });

  const xRateLimitRemaining = new Gauge({
    name: 'replywatch_x_rate_limit_remaining',
    help: 'Requests left in the current X API rate-limit window, per endpoint',
    labelNames: ['endpoint'] as const,
    registers,
    async collect() {
      for (const r of await xRateLimits(db)) this.set({ endpoint: r.endpoint }, r.remaining);
    },
  });

  new Gauge({
    name: 'replywatch_open_cases',
    help: 'Open cases per handle',
    labelNames: ['handle'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await openCasesByHandle(db)) this.set({ handle: r.handle }, r.n);
    },
  });

  new Gauge({
    name: 'replywatch_alerts',
    help: 'Alerts by kind and state',
    labelNames: ['kind', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await alertsByKindState(db)) this.set({ kind: r.kind, state: r.state }, r.n);
    },
  });

  new Gauge({
    name: 'replywatch_deliveries',
    help: 'Alert deliveries by state (pending, ready, sending, sent, held, digest, digested, dead, cancelled)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await deliveriesByState(db)) this.set({ state: r.state }, r.n);
    },
  });

  new Gauge({
    name: 'replywatch_deliveries_failed',
    help: 'Deliveries with at least one failed attempt (retrying or dead)',
    registers,
    async collect() {
      this.set(await deliveriesFailed(db));
    },
  });

  new Gauge({
    name: 'replywatch_channel_paused_seconds',
    help: 'Seconds until a channel paused after a 429 or 503 sends again (only paused channels have a series); `replywatch alerts channels` says why',
    labelNames: ['channel'] as const,
    registers,
    async collect() {
      this.reset();
      const now = clock();
      for (const p of await pausedChannels(db, now)) this.set({ channel: p.channel }, (p.pausedUntil.getTime() - now.getTime()) / 1000);
    },
  });

  new Gauge({
    name: 'replywatch_job_queue_depth',
    help: 'graphile-worker jobs waiting or running, per task',
    labelNames: ['task'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await queueDepth(db)) this.set({ task: r.task }, r.count);
    },
  });

  return { registry, httpDuration, xRateLimitRemaining };
}
