import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createNotifier, eventually, type Notifier } from './harness.ts';
import { startReceiver, type FakeReceiver } from '../fakes/receiver.ts';
import { raiseAlert, type NewAlert } from '../../src/alerts/raise.ts';
import { ackAlert, resolveAlert } from '../../src/db/alert.repository.ts';
import { sendDigest } from '../../src/alerts/digest.ts';
import type { Db } from '../../src/db/connect.ts';
import { notifierDb } from '../../src/db/notifier.schema.ts';
import { createApp } from '../../src/api/app.ts';
import { createToken } from '../../src/db/token.repository.ts';
import { digestJobKey, escalateJobKey } from '../../src/alerts/job-keys.ts';
import { deliverOne } from '../../src/alerts/deliver.ts';

const SECRET = 'routing-secret-0123456789';

async function raise(db: Db, a: NewAlert, opts: { reopen?: boolean } = {}) {
  return db.transaction().execute((trx) => raiseAlert(trx, a, { now: new Date(), ...opts }));
}

async function jobWithKey(db: Db, key: string): Promise<boolean> {
  const r = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where key = ${key}`.execute(db);
  return r.rows[0].n > 0;
}

async function pendingJobs(db: Db, task: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = ${task}`.execute(db);
  return r.rows[0].n;
}

describe('burst into digests, per-channel rate', () => {
  let recv: FakeReceiver;
  let n: Notifier;
  beforeAll(async () => {
    recv = await startReceiver();
    n = await createNotifier(
      { DIGEST_THRESHOLD_PER_MINUTE: '5', DIGEST_WINDOW_SECONDS: '10', DELIVERY_CHANNEL_INTERVAL_MS: '100' },
      { channels: [{ name: 'hook', type: 'webhook', url: `${recv.url}/hook`, secret: SECRET }], routes: [{ name: 'all', channels: ['hook'] }] },
    );
    await n.startWorkers();
  });
  afterAll(async () => {
    await n?.close();
    await recv?.stop();
  });

  it('turns a burst of 200 alerts into a handful of messages that carry every alert exactly once', { timeout: 60_000 }, async () => {
    const ids: string[] = [];
    // One analyzer batch commits 200 alerts at once (an outage).
    await n.t.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 200; i++) {
        const r = await raiseAlert(trx, { kind: 'outage', severity: 'warning', dedupKey: `burst:${i}`, title: `Alert ${i}`, reasons: ['burst'] }, { now: new Date() });
        ids.push(r.id);
      }
    });
    const carried = () => recv.requests.flatMap((r) => (r.json.type === 'digest' ? r.json.alerts.map((a: { id: string }) => a.id) : [r.json.alert.id]));
    await recv.waitFor(() => new Set(carried()).size === 200, 40_000, 'all 200 alerts');
    const all = carried();
    expect(all.length).toBe(200);
    expect(new Set(all)).toEqual(new Set(ids));
    const digests = recv.requests.filter((r) => r.json.type === 'digest');
    const singles = recv.requests.filter((r) => r.json.type === 'alert');
    // A handful of messages: a few singles per window (5 at most each), the bulk folded into digests.
    expect(digests.length).toBeGreaterThanOrEqual(1);
    expect(digests.length).toBeLessThanOrEqual(5);
    expect(singles.length).toBeLessThanOrEqual(20);
    expect(digests.reduce((sum, d) => sum + d.json.count, 0)).toBeGreaterThanOrEqual(180);
    expect(digests[0].json.reason).toBe('burst');
    expect(digests.every((d) => d.json.count === d.json.alerts.length)).toBe(true);
    // The per-channel send rate holds across the runner's five concurrent workers: no two messages were
    // started closer than the interval (the attempt log records when each send began).
    const started = await eventually(async () => {
      const rows = await notifierDb(n.t.db).selectFrom('delivery_attempts').select('started_at').where('outcome', '=', 'sent').orderBy('started_at').execute();
      return rows.length === recv.requests.length ? rows.map((r) => r.started_at.getTime()) : null;
    }, 20_000, 'attempt log');
    for (let i = 1; i < started!.length; i++) expect(started![i] - started![i - 1]).toBeGreaterThanOrEqual(100);
    // Every delivery ends up sent: either alone or inside a sent digest.
    await eventually(async () => {
      const rows = await n.t.db.selectFrom('deliveries').select(['state', 'sent_at']).execute();
      return rows.every((r) => r.sent_at !== null);
    }, 20_000, 'deliveries marked sent');
  });
});

describe('a full digest window at raise time', () => {
  let recv: FakeReceiver;
  let n: Notifier;
  beforeAll(async () => {
    recv = await startReceiver();
    // No runner: the test drives deliveries and the digest itself, on a fixed clock.
    n = await createNotifier(
      { DIGEST_THRESHOLD_PER_MINUTE: '3', DIGEST_WINDOW_SECONDS: '60', DELIVERY_CHANNEL_INTERVAL_MS: '0' },
      { channels: [{ name: 'hook', type: 'webhook', url: `${recv.url}/hook`, secret: SECRET }], routes: [{ name: 'all', channels: ['hook'] }] },
    );
  });
  afterAll(async () => {
    await n?.close();
    await recv?.stop();
  });

  it('puts a new delivery straight into the window digest, with one digest job for all of them and no delivery job', async () => {
    // A second ahead of the database's clock, which stamps the channel's first free send slot.
    const now = new Date(Date.now() + 1000);
    const windowEnd = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000);
    n.deps.clock = () => now;
    const digest = n.deps.config.delivery;
    const raiseAt = (i: number) => n.t.db.transaction().execute((trx) => raiseAlert(trx, { kind: 'outage', severity: 'critical', dedupKey: `full:${i}`, title: `Alert ${i}`, reasons: ['outage'] }, { now, digest }));
    const deliveryOf = (alertId: string) => n.t.db.selectFrom('deliveries').select(['id', 'state', 'next_attempt_at']).where('alert_id', '=', alertId).executeTakeFirstOrThrow();

    // The window is not full yet: three alerts queue delivery jobs and go out one by one, filling the window.
    for (let i = 0; i < 3; i++) {
      const a = await raiseAt(i);
      const d = await deliveryOf(a.id);
      expect(d.state).toBe('pending');
      expect(await deliverOne(n.deps, d.id)).toBe('sent');
    }
    expect(recv.requests.length).toBe(3);
    expect(await pendingJobs(n.t.db, 'send_digest')).toBe(0);

    // Full: the next alerts join the window's digest when raised.
    const folded: string[] = [];
    for (let i = 3; i < 6; i++) folded.push((await raiseAt(i)).id);
    for (const id of folded) {
      const d = await deliveryOf(id);
      expect(d.state).toBe('digest');
      expect(d.next_attempt_at.getTime()).toBe(windowEnd.getTime());
    }
    expect(await pendingJobs(n.t.db, 'deliver_alert')).toBe(3); // the three sent above, run by hand
    expect(await pendingJobs(n.t.db, 'send_digest')).toBe(1);
    expect(await jobWithKey(n.t.db, digestJobKey('hook', windowEnd))).toBe(true);

    // A digest job already running (locked) may have read the deliveries before this one commits: a new job is queued.
    await sql`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'test' where key = ${digestJobKey('hook', windowEnd)}`.execute(n.t.db);
    folded.push((await raiseAt(6)).id);
    expect(await pendingJobs(n.t.db, 'send_digest')).toBe(2);

    // At the window's end one digest carries the four folded alerts.
    n.deps.clock = () => windowEnd;
    expect(await sendDigest(n.deps, 'hook')).toBe('sent');
    const sent = recv.requests.filter((r) => r.json.type === 'digest');
    expect(sent.length).toBe(1);
    expect(sent[0].json.reason).toBe('burst');
    expect(new Set(sent[0].json.alerts.map((a: { id: string }) => a.id))).toEqual(new Set(folded));
    const rows = await n.t.db.selectFrom('deliveries').select(['state', 'sent_at']).where('alert_id', 'in', folded).execute();
    expect(rows.map((r) => [r.state, r.sent_at?.getTime()])).toEqual(folded.map(() => ['digested', windowEnd.getTime()]));
  });
});

describe('escalation and quiet hours', () => {
  let team: FakeReceiver;
  let lead: FakeReceiver;
  let n: Notifier;
  const hour = new Date().getUTCHours();
  const pad = (h: number) => String(h % 24).padStart(2, '0');
  // A calendar that is closed now and opens in two hours (UTC, every day).
  const opensAt = `${pad(hour + 2)}:00`;
  beforeAll(async () => {
    team = await startReceiver();
    lead = await startReceiver();
    n = await createNotifier(
      {},
      {
        calendars: [{ name: 'later', timezone: 'UTC', hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [`${opensAt}-${pad(hour + 3)}:00`]])) }],
        teams: [{ name: 'care', calendar: 'always' }, { name: 'night', calendar: 'later' }],
        channels: [
          { name: 'team', type: 'webhook', url: `${team.url}/team`, secret: SECRET },
          { name: 'lead', type: 'webhook', url: `${lead.url}/lead`, secret: SECRET },
          { name: 'team-night', type: 'webhook', url: `${team.url}/night`, secret: SECRET },
        ],
        routes: [
          { name: 'care', match: { teams: ['care'] }, channels: ['team'], escalate: { afterMinutes: 0.02, channels: ['lead'] } },
          { name: 'night', match: { teams: ['night'] }, channels: ['team-night'], quietHours: true },
        ],
      },
    );
    await n.startWorkers();
  });
  afterAll(async () => {
    await n?.close();
    await team?.stop();
    await lead?.stop();
  });

  const teamId = async (name: string) => (await n.t.db.selectFrom('teams').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  /** POSTs to the API with a new write token named `name` (the actor the API records as "token:<name>"). */
  const apiPoster = async (name: string) => {
    const app = createApp(n.deps);
    const { token } = await createToken(n.t.db, { name, scope: 'write' });
    return (path: string) => app.request(path, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  };

  it('escalates an alert nobody acknowledges, and not one that was acknowledged', async () => {
    const care = await teamId('care');
    const ignored = await raise(n.t.db, { kind: 'sla_breach', severity: 'warning', dedupKey: 'esc:ignored', teamId: care, title: 'Nobody looks', reasons: [] });
    const acked = await raise(n.t.db, { kind: 'sla_breach', severity: 'warning', dedupKey: 'esc:acked', teamId: care, title: 'Someone looks', reasons: [] });
    // The repository call alone leaves the escalation job queued: this checks the job's own re-check (the safety net).
    const row = await ackAlert(n.t.db, acked.id, 'agent@care');
    expect(row).toMatchObject({ state: 'acknowledged', acknowledged_by: 'agent@care' });
    await lead.waitFor((r) => r.length >= 1, 20_000, 'escalation');
    // Both escalation jobs have run once none is left in the queue.
    await eventually(async () => (await pendingJobs(n.t.db, 'escalate_alert')) === 0, 20_000, 'escalation jobs done');
    await eventually(async () => (await pendingJobs(n.t.db, 'deliver_alert')) === 0, 20_000, 'deliveries done');
    expect(lead.requests.map((r) => r.json.alert.id)).toEqual([ignored.id]);
    expect(lead.requests[0].json.alert.escalationLevel).toBe(1);
    expect(team.requests.map((r) => r.json.alert.id).sort()).toEqual([ignored.id, acked.id].sort());
    const escalated = await n.t.db.selectFrom('deliveries').select(['alert_id', 'level', 'channel']).where('level', '>', 0).execute();
    expect(escalated).toEqual([{ alert_id: ignored.id, level: 1, channel: 'lead' }]);
  });

  it('removes the escalation job when the API acknowledges or resolves the alert, in the same transaction', async () => {
    lead.requests.length = 0;
    const care = await teamId('care');
    const post = await apiPoster('lead');
    const acked = await raise(n.t.db, { kind: 'sla_breach', severity: 'warning', dedupKey: 'esc:api-ack', teamId: care, title: 'Acked in the API', reasons: [] });
    const resolved = await raise(n.t.db, { kind: 'sla_breach', severity: 'warning', dedupKey: 'esc:api-resolve', teamId: care, title: 'Resolved in the API', reasons: [] });
    expect(await jobWithKey(n.t.db, escalateJobKey(acked.id, 'care'))).toBe(true);
    expect(await jobWithKey(n.t.db, escalateJobKey(resolved.id, 'care'))).toBe(true);
    expect((await post(`/v1/alerts/${acked.id}/ack`)).status).toBe(200);
    expect((await post(`/v1/alerts/${resolved.id}/resolve`)).status).toBe(200);
    // Gone as soon as the request returns, not when the job would have run.
    expect(await jobWithKey(n.t.db, escalateJobKey(acked.id, 'care'))).toBe(false);
    expect(await jobWithKey(n.t.db, escalateJobKey(resolved.id, 'care'))).toBe(false);
    // An alert raised later escalates; jobs run in run_at order, so once it reached the lead the others would have too.
    const later = await raise(n.t.db, { kind: 'sla_breach', severity: 'warning', dedupKey: 'esc:api-later', teamId: care, title: 'Nobody looks', reasons: [] });
    await lead.waitFor((r) => r.some((x) => x.json.alert.id === later.id), 20_000, 'the later escalation');
    expect(lead.requests.map((r) => r.json.alert.id)).toEqual([later.id]);
    expect(await n.t.db.selectFrom('deliveries').select('alert_id').where('level', '>', 0).where('alert_id', 'in', [acked.id, resolved.id]).execute()).toEqual([]);
  });

  it('holds non-critical alerts outside calendar hours for the morning digest, and pages critical ones at once', async () => {
    team.requests.length = 0;
    const night = await teamId('night');
    const quiet = await raise(n.t.db, { kind: 'sla_warning', severity: 'warning', dedupKey: 'quiet:warn', teamId: night, title: 'Can wait', reasons: [] });
    const loud = await raise(n.t.db, { kind: 'sla_breach', severity: 'critical', dedupKey: 'quiet:crit', teamId: night, title: 'Cannot wait', reasons: [] });
    await team.waitFor((r) => r.length >= 1);
    expect(team.requests.map((r) => r.json.alert.id)).toEqual([loud.id]);
    const held = await n.t.db.selectFrom('deliveries').select(['state', 'next_attempt_at']).where('alert_id', '=', quiet.id).executeTakeFirstOrThrow();
    expect(held.state).toBe('held');
    const opening = held.next_attempt_at;
    expect(opening.toISOString().slice(11, 16)).toBe(opensAt);
    expect(opening.getTime()).toBeGreaterThan(Date.now());
    expect(await pendingJobs(n.t.db, 'send_digest')).toBe(1);
    // Morning: run the digest with the clock at the opening.
    expect(await sendDigest({ ...n.deps, clock: () => opening }, 'team-night')).toBe('sent');
    const digest = team.requests.find((r) => r.json.type === 'digest')!;
    expect(digest.json.reason).toBe('quiet_hours');
    expect(digest.json.alerts.map((a: { id: string }) => a.id)).toEqual([quiet.id]);
  });

  it('leaves alerts acknowledged or resolved while held out of the morning digest, and sends none when nothing is left', async () => {
    team.requests.length = 0;
    const night = await teamId('night');
    const post = await apiPoster('night lead');
    const raised = [];
    for (const k of ['a', 'b', 'c']) raised.push(await raise(n.t.db, { kind: 'sla_warning', severity: 'warning', dedupKey: `held:${k}`, teamId: night, title: `Held ${k}`, reasons: [] }));
    const [acked, resolved, open] = raised.map((r) => r.id);
    expect((await post(`/v1/alerts/${acked}/ack`)).status).toBe(200);
    expect((await post(`/v1/alerts/${resolved}/resolve`)).status).toBe(200);
    const rows = await n.t.db.selectFrom('deliveries').select(['alert_id', 'state', 'last_error', 'next_attempt_at']).where('alert_id', 'in', [acked!, resolved!, open!]).orderBy('alert_id').execute();
    expect(rows.map((r) => [r.alert_id, r.state])).toEqual([
      [acked, 'cancelled'],
      [resolved, 'cancelled'],
      [open, 'held'],
    ]);
    expect(rows[0]!.last_error).toBe('acknowledged by token:night lead before it was sent');
    expect(rows[1]!.last_error).toBe('resolved by token:night lead before it was sent');
    const opening = rows[2]!.next_attempt_at;
    expect(await sendDigest({ ...n.deps, clock: () => opening }, 'team-night')).toBe('sent');
    const digest = team.requests.find((r) => r.json.type === 'digest')!;
    expect(digest.json.alerts.map((a: { id: string }) => a.id)).toEqual([open]);

    // Acknowledging the last one held leaves nothing for the next morning: no digest at all.
    team.requests.length = 0;
    const last = await raise(n.t.db, { kind: 'sla_warning', severity: 'warning', dedupKey: 'held:d', teamId: night, title: 'Held d', reasons: [] });
    expect((await post(`/v1/alerts/${last.id}/ack`)).status).toBe(200);
    const held = await n.t.db.selectFrom('deliveries').select(['state', 'next_attempt_at']).where('alert_id', '=', last.id).executeTakeFirstOrThrow();
    expect(held.state).toBe('cancelled');
    expect(await sendDigest({ ...n.deps, clock: () => new Date(opening.getTime() + 86_400_000) }, 'team-night')).toBe('nothing');
    expect(team.requests).toEqual([]);
  });

  it('reopens a resolved alert only when asked, and notifies again with a new delivery id', async () => {
    team.requests.length = 0;
    const care = await teamId('care');
    const a: NewAlert = { kind: 'handle_silent', severity: 'warning', dedupKey: 'reopen:1', teamId: care, title: 'Silent handle', reasons: [] };
    const first = await raise(n.t.db, a);
    await team.waitFor((r) => r.length >= 1);
    await ackAlert(n.t.db, first.id, 'x');
    await resolveAlert(n.t.db, first.id, 'x', 'handled');
    expect(await raise(n.t.db, a)).toEqual({ id: first.id, created: false });
    const again = await raise(n.t.db, a, { reopen: true });
    expect(again).toEqual({ id: first.id, created: false, reopened: true });
    await team.waitFor((r) => r.length >= 2);
    expect(team.requests[1].json.alert.id).toBe(first.id);
    expect(team.requests[1].deliveryId).not.toBe(team.requests[0].deliveryId);
    const alert = await n.t.db.selectFrom('alerts').select(['state', 'resolved_at']).where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(alert).toEqual({ state: 'open', resolved_at: null });
  });

  it('notifies a reopened alert again even when its previous send is marked sent in the middle of the reopen', async () => {
    team.requests.length = 0;
    const care = await teamId('care');
    const a: NewAlert = { kind: 'handle_silent', severity: 'warning', dedupKey: 'reopen:race', teamId: care, title: 'Silent again', reasons: [] };
    team.respond = () => ({ status: 200, body: 'ok', delayMs: 1500 });
    try {
      const first = await raise(n.t.db, a);
      await team.waitFor((r) => r.length >= 1);
      const row = await n.t.db.selectFrom('deliveries').select(['id', 'state']).where('alert_id', '=', first.id).executeTakeFirstOrThrow();
      expect(row.state).toBe('sending');
      await ackAlert(n.t.db, first.id, 'x');
      await resolveAlert(n.t.db, first.id, 'x', 'handled');
      // The notifier's "mark sent" transaction, held open while the reopen runs, commits in the middle of it.
      let commit!: () => void;
      const held = new Promise<void>((r) => (commit = r));
      const marking = n.t.db.transaction().execute(async (trx) => {
        await trx.updateTable('deliveries').set({ state: 'sent', sent_at: new Date() }).where('id', '=', row.id).execute();
        await held;
      });
      await eventually(async () => (await n.t.db.selectFrom('deliveries').select('state').where('id', '=', row.id).executeTakeFirstOrThrow()).state === 'sending');
      const reopening = raise(n.t.db, a, { reopen: true });
      const blocked = sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
      await eventually(async () => (await blocked.execute(n.t.db)).rows[0].n > 0, 10_000, 'the reopen waiting for the row');
      commit();
      await marking;
      expect(await reopening).toEqual({ id: first.id, created: false, reopened: true });
      team.respond = () => ({ status: 200, body: 'ok' });
      await team.waitFor((r) => r.length >= 2, 20_000, 'the reopened alert');
      expect(team.requests[1].json.alert.id).toBe(first.id);
      expect(team.requests[1].deliveryId).not.toBe(team.requests[0].deliveryId);
    } finally {
      team.respond = () => ({ status: 200, body: 'ok' });
    }
  });
});
