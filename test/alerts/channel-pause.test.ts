// A 429 or 503 pauses the whole channel: queued sends wait without spending attempts, then one probe goes alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { sql } from 'kysely';
import { runCli } from '../helpers/cli.ts';
import { createApp } from '../../src/api/app.ts';
import { createNotifier, eventually, type Notifier } from './harness.ts';
import { startReceiver, type FakeReceiver } from '../fakes/receiver.ts';
import { raiseAlert, type NewAlert } from '../../src/alerts/raise.ts';
import { notifierDb } from '../../src/db/notifier.schema.ts';
import { ackAndStopEscalation } from '../../src/alerts/alert-state.ts';

const SECRET = 'pause-secret-0123456789';
let limited: FakeReceiver;
let down: FakeReceiver;
let n: Notifier;
let fileConfig: unknown;

beforeAll(async () => {
  limited = await startReceiver();
  down = await startReceiver();
  fileConfig = {
    channels: [
      { name: 'limited', type: 'webhook', url: `${limited.url}/limited`, secret: SECRET },
      { name: 'down', type: 'webhook', url: `${down.url}/down`, secret: SECRET },
    ],
    routes: [
      { name: 'to-limited', match: { kinds: ['rate_test'] }, channels: ['limited'] },
      { name: 'to-down', match: { kinds: ['outage_test'] }, channels: ['down'] },
    ],
  };
  n = await createNotifier(
    // One message a second per channel (the production default): a send already on the wire when the 429 arrives
    // cannot be recalled, and the interval is what keeps the next one from leaving before the answer is recorded.
    // A pause without Retry-After backs off from 1 s.
    { DELIVERY_CHANNEL_INTERVAL_MS: '1000', DELIVERY_RETRY_BASE_MS: '1000', DELIVERY_RETRY_MAX_MS: '2000' },
    fileConfig,
  );
  await n.startWorkers();
});

afterAll(async () => {
  await n?.close();
  await limited?.stop();
  await down?.stop();
});

let seq = 0;
const alert = (kind: string): NewAlert => ({ kind, severity: 'warning', dedupKey: `pause:${kind}:${++seq}`, title: `Alert ${seq}`, reasons: [] });

async function deliveriesOf(ids: string[]) {
  return n.t.db.selectFrom('deliveries').select(['alert_id', 'delivery_id', 'state', 'attempts']).where('alert_id', 'in', ids).orderBy('id').execute();
}

async function channelState(channel: string) {
  return notifierDb(n.t.db).selectFrom('channel_state').select(['paused_until', 'pause_failures', 'pause_reason']).where('channel', '=', channel).executeTakeFirstOrThrow();
}

describe('channel pause', { timeout: 45_000 }, () => {
  it('holds every send queued for a channel that answered 429 until Retry-After has passed, then delivers each once', async () => {
    limited.respond = (_req, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' } : { status: 200, body: 'ok' });
    // Five alerts queued for the channel at once (one analyzer batch).
    const ids = await n.t.db.transaction().execute(async (trx) => {
      const out: string[] = [];
      for (let i = 0; i < 5; i++) out.push((await raiseAlert(trx, alert('rate_test'), { now: new Date() })).id);
      return out;
    });
    await limited.waitFor((r) => r.length >= 1, 10_000, 'the first request');
    const first = limited.requests[0];
    await eventually(async () => (await deliveriesOf(ids)).every((d) => d.state === 'sent'), 30_000, 'all five sent');

    // During the pause the receiver saw only the request it answered 429.
    expect(limited.requests.filter((r) => r.at < first.at + 2000)).toEqual([first]);
    const rows = await deliveriesOf(ids);
    // Then each delivery once: six requests, five delivery ids, the 429'd one sent again with its own id.
    expect(limited.requests).toHaveLength(6);
    const okIds = limited.requests.slice(1).map((r) => r.deliveryId);
    expect([...okIds].sort()).toEqual(rows.map((d) => d.delivery_id).sort());
    expect(new Set(limited.requests.map((r) => r.json.alert.id))).toEqual(new Set(ids));
    // Waiting for the pause cost no attempt: only the 429'd delivery has two.
    expect(rows.map((d) => d.attempts).sort()).toEqual([1, 1, 1, 1, 2]);
    const attempts = await notifierDb(n.t.db).selectFrom('delivery_attempts').select(['delivery_id', 'outcome', 'status']).where('delivery_id', 'in', rows.map((d) => d.delivery_id)).execute();
    expect(attempts.filter((a) => a.outcome === 'rate_limited')).toEqual([{ delivery_id: first.deliveryId, outcome: 'rate_limited', status: 429 }]);
    expect(attempts.filter((a) => a.outcome === 'sent')).toHaveLength(5);
    // The pause is over.
    expect(await channelState('limited')).toEqual({ paused_until: null, pause_failures: 0, pause_reason: null });
  });

  it('pauses on 503 without Retry-After with a backoff; alerts raised meanwhile wait, and the first send after the pause goes alone', async () => {
    // The send after the outage (the probe) is slow to answer: nothing else may start before it has.
    down.respond = (_req, i) => (i === 0 ? { status: 503, body: 'upstream unavailable' } : i === 1 ? { status: 200, body: 'ok', delayMs: 400 } : { status: 200, body: 'ok' });
    const raise = async () => (await n.t.db.transaction().execute((trx) => raiseAlert(trx, alert('outage_test'), { now: new Date() }))).id;
    const ids = [await raise()];
    await down.waitFor((r) => r.length >= 1, 10_000, 'the first request');
    const paused = (await eventually(async () => (await channelState('down')).paused_until, 5_000, 'the pause'))!;
    expect(paused.getTime() - down.requests[0].at).toBeGreaterThanOrEqual(400); // half the 1 s base, less clock rounding
    expect((await channelState('down')).pause_reason).toContain('answered 503');
    for (let i = 0; i < 4; i++) ids.push(await raise());
    await eventually(async () => (await deliveriesOf(ids)).every((d) => d.state === 'sent'), 30_000, 'all five sent');

    const [failed, probe, ...rest] = down.requests;
    expect(down.requests).toHaveLength(6);
    expect(failed.deliveryId).toBe((await deliveriesOf([ids[0]]))[0].delivery_id);
    // Nothing while paused; then the probe alone, and the rest only after it was answered.
    expect(probe.at).toBeGreaterThanOrEqual(paused.getTime() - 50);
    for (const r of rest) expect(r.at).toBeGreaterThanOrEqual(probe.at + 400);
    expect(new Set(down.requests.slice(1).map((r) => r.deliveryId)).size).toBe(5);
    expect((await deliveriesOf(ids)).map((d) => d.attempts).sort()).toEqual([1, 1, 1, 1, 2]);
    expect(await channelState('down')).toEqual({ paused_until: null, pause_failures: 0, pause_reason: null });
  });

  it('shows paused channels, what waits for them and what will not go out (dead, cancelled) in `replywatch alerts channels`, and dead ones in `alerts dead`, without the URL', async () => {
    await n.stopWorkers();
    // A long pause and a dead delivery, as a Slack outage would leave them.
    const reason = `${new URL(limited.url).host} answered 503: upstream unavailable`;
    await sql`insert into channel_state (channel, paused_until, pause_failures, pause_reason) values ('limited', now() + interval '1 hour', 3, ${reason})
      on conflict (channel) do update set paused_until = excluded.paused_until, pause_failures = excluded.pause_failures, pause_reason = excluded.pause_reason`.execute(n.t.db);
    const { id } = await n.t.db.transaction().execute((trx) => raiseAlert(trx, alert('rate_test'), { now: new Date() }));
    await n.t.db.updateTable('deliveries').set({ state: 'dead', last_error: 'gave up' }).where('alert_id', '=', id).execute();
    await n.t.db.transaction().execute((trx) => raiseAlert(trx, alert('rate_test'), { now: new Date() }));
    // Acknowledged while it waited for the pause: cancelled, not waiting, not dead.
    const acked = await n.t.db.transaction().execute((trx) => raiseAlert(trx, alert('rate_test'), { now: new Date() }));
    await ackAndStopEscalation(n.t.db, acked.id, 'lead', new Date());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-pause-'));
    try {
      fs.writeFileSync(path.join(dir, 'config.yaml'), YAML.stringify(fileConfig));
      const r = await runCli(['alerts', 'channels'], { env: { DATABASE_URL: n.t.url, REPLYWATCH_CONFIG: path.join(dir, 'config.yaml'), LOG_LEVEL: 'warn', ALLOW_PRIVATE_NETWORKS: '1' } });
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines.find((l) => l.startsWith('down\t'))).toMatch(/^down\twebhook\tok\twaiting 0\t/);
      const line = lines.find((l) => l.startsWith('limited\t'))!;
      expect(line).toMatch(/^limited\twebhook\tPAUSED until \S+ \(3 in a row\): 127\.0\.0\.1:\d+ answered 503: upstream unavailable\twaiting 1\theld 0\tin digest 0\tdead 1\tcancelled 1\tlast sent \S+$/);
      expect(r.stderr).toContain('1 dead deliveries: `replywatch alerts dead` lists them, `replywatch alerts retry --dead` requeues them');
      expect(r.stdout + r.stderr).not.toContain('/limited');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      const metrics = await (await createApp(n.deps).request('/metrics')).text();
      expect(metrics).toMatch(/^replywatch_channel_paused_seconds\{channel="limited"\} \d+/m);
      expect(metrics).toMatch(/^replywatch_deliveries\{state="cancelled"\} 1$/m);
      // The cancelled delivery's last_error says why it was left out; only the dead one failed.
      expect(metrics).toMatch(/^replywatch_deliveries_failed 1$/m);
      expect(metrics).not.toContain('channel="down"');
      const dead = await runCli(['alerts', 'dead'], { env: { DATABASE_URL: n.t.url, REPLYWATCH_CONFIG: path.join(dir, 'config.yaml'), LOG_LEVEL: 'warn', ALLOW_PRIVATE_NETWORKS: '1' } });
      expect(dead.stdout).toMatch(new RegExp(`^\\d+\\talert ${id}\\tlimited\\tattempts 0\\tgave up \\S+\\tgave up\\n$`));
      expect(dead.stderr).toContain('1 dead deliveries; fix the cause in last_error, then `replywatch alerts retry --dead` (all) or `--id <first column>...` requeues them');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
