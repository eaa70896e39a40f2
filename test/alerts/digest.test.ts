// A digest carries what is still unhandled when it is claimed for sending: alerts acknowledged or resolved after it
// was built are left out, and a digest with nothing left is not sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createNotifier, eventually, type Notifier } from './harness.ts';
import { startReceiver, type FakeReceiver } from '../fakes/receiver.ts';
import { raiseAlert } from '../../src/alerts/raise.ts';
import { EMPTY_DIGEST_REASON, sendDigest } from '../../src/alerts/digest.ts';
import { digestWindow } from '../../src/alerts/digest-window.ts';
import { ackAndStopEscalation } from '../../src/alerts/alert-state.ts';
import { retryDead } from '../../src/alerts/recover.ts';
import { findStaleWork } from '../../src/db/delivery.repository.ts';
import { notifierDb } from '../../src/db/notifier.schema.ts';
import { createApp } from '../../src/api/app.ts';
import { createToken } from '../../src/db/token.repository.ts';

const SECRET = 'digest-secret-0123456789';
const CASES = ['1', '2', '3', '4', '5'];

let recv: FakeReceiver;
let n: Notifier;
let post: (path: string) => Response | Promise<Response>;

beforeAll(async () => {
  recv = await startReceiver();
  // One message per digest window and channel: every alert raised into a full window joins its digest.
  // No runner: each test builds and sends digests itself, on a clock it chooses.
  n = await createNotifier(
    { DIGEST_THRESHOLD_PER_MINUTE: '1', DIGEST_WINDOW_SECONDS: '60', DELIVERY_CHANNEL_INTERVAL_MS: '0' },
    {
      channels: [
        ...CASES.map((c) => ({ name: `hook-${c}`, type: 'webhook', url: `${recv.url}/hook-${c}`, secret: SECRET })),
        { name: 'chat-1', type: 'slack', url: `${recv.url}/services/T1/B1/chat-1` },
      ],
      routes: CASES.map((c) => ({ name: `r${c}`, match: { kinds: [`k${c}`] }, channels: c === '1' ? ['hook-1', 'chat-1'] : [`hook-${c}`] })),
    },
  );
  const app = createApp(n.deps);
  const { token } = await createToken(n.t.db, { name: 'lead', scope: 'write' });
  post = (path: string) => app.request(path, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
});

afterAll(async () => {
  await n?.close();
  await recv?.stop();
});

/** Raises alerts of `kind` into a digest window that is already full on `channels`: their deliveries wait for its digest. */
async function burst(kind: string, channels: string[], titles: string[]) {
  // A second ahead of the database's clock, which stamps the channel's first free send slot.
  const now = new Date(Date.now() + 1000);
  const { start, end } = digestWindow(now, n.deps.config.delivery);
  for (const channel of channels) {
    await sql`insert into channel_state (channel, window_start, window_count) values (${channel}, ${start}, 1)
      on conflict (channel) do update set window_start = excluded.window_start, window_count = excluded.window_count`.execute(n.t.db);
  }
  const ids = await n.t.db.transaction().execute(async (trx) => {
    const out: string[] = [];
    for (const title of titles) out.push((await raiseAlert(trx, { kind, severity: 'warning', dedupKey: `${kind}:${title}`, title, reasons: [] }, { now, digest: n.deps.config.delivery })).id);
    return out;
  });
  const states = await n.t.db.selectFrom('deliveries').select('state').where('alert_id', 'in', ids).execute();
  expect(states.map((s) => s.state)).toEqual(states.map(() => 'digest'));
  return { ids, windowEnd: end };
}

async function pause(channel: string, until: Date) {
  await notifierDb(n.t.db).updateTable('channel_state').set({ paused_until: until, pause_failures: 0 }).where('channel', '=', channel).execute();
}

const at = (t: Date) => ({ ...n.deps, clock: () => t });

async function deliveries(ids: string[], channel: string) {
  return n.t.db
    .selectFrom('deliveries')
    .select(['id', 'alert_id', 'state', 'last_error', 'digest_id', 'sent_at'])
    .where('alert_id', 'in', ids)
    .where('channel', '=', channel)
    .orderBy('alert_id')
    .execute();
}

async function digestOf(channel: string) {
  return notifierDb(n.t.db).selectFrom('digests').select(['id', 'state', 'attempts', 'alert_count', 'last_error', 'next_attempt_at']).where('channel', '=', channel).orderBy('id').execute();
}

const requestsTo = (path: string) => recv.requests.filter((r) => r.path === path);

/** Sessions of this test database waiting for a row lock. */
async function waitingForLock(): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(n.t.db);
  return r.rows[0]!.n;
}

/** Runs `fn` in a transaction that stays open (holding its locks) until the returned `commit` is called. */
async function holdOpen(fn: (trx: typeof n.t.db) => Promise<void>) {
  let commit!: () => void;
  const released = new Promise<void>((r) => (commit = r));
  let ready!: () => void;
  const holding = new Promise<void>((r) => (ready = r));
  const done = n.t.db.transaction().execute(async (trx) => {
    await fn(trx);
    ready();
    await released;
  });
  await Promise.race([holding, done]);
  return {
    commit: async () => {
      commit();
      await done;
    },
  };
}

describe('a digest built, then alerts in it handled before it went out', () => {
  it('leaves out the alerts acknowledged or resolved since it was built, on webhook and Slack, with the reason on their deliveries', async () => {
    const { ids, windowEnd } = await burst('k1', ['hook-1', 'chat-1'], ['Acked later', 'Resolved later', 'Still open']);
    const [acked, resolved, open] = ids as [string, string, string];
    // The window closes while the channels are paused: the digests are built and wait.
    const resume = new Date(windowEnd.getTime() + 30_000);
    for (const channel of ['hook-1', 'chat-1']) {
      await pause(channel, resume);
      expect(await sendDigest(at(windowEnd), channel)).toBe('deferred');
      expect((await digestOf(channel)).map((d) => d.state)).toEqual(['pending']);
      expect((await deliveries(ids, channel)).map((d) => d.state)).toEqual(['digested', 'digested', 'digested']);
    }

    expect((await post(`/v1/alerts/${acked}/ack`)).status).toBe(200);
    expect((await post(`/v1/alerts/${resolved}/resolve`)).status).toBe(200);
    for (const channel of ['hook-1', 'chat-1']) {
      const rows = await deliveries(ids, channel);
      expect(rows.map((d) => [d.alert_id, d.state, d.last_error])).toEqual([
        [acked, 'cancelled', 'acknowledged by token:lead before it was sent'],
        [resolved, 'cancelled', 'resolved by token:lead before it was sent'],
        [open, 'digested', null],
      ]);
    }

    const sendAt = new Date(resume.getTime() + 1000);
    expect(await sendDigest(at(sendAt), 'hook-1')).toBe('sent');
    expect(await sendDigest(at(sendAt), 'chat-1')).toBe('sent');
    const [hook] = requestsTo('/hook-1');
    expect(requestsTo('/hook-1')).toHaveLength(1);
    expect(hook!.json).toMatchObject({ type: 'digest', reason: 'burst', count: 1 });
    expect(hook!.json.alerts.map((a: { id: string }) => a.id)).toEqual([open]);
    const [slack] = requestsTo('/services/T1/B1/chat-1');
    expect(requestsTo('/services/T1/B1/chat-1')).toHaveLength(1);
    expect(slack!.json.text).toBe('1 alerts arrived faster than this channel shows them');
    expect(slack!.body).toContain('Still open');
    expect(slack!.body).not.toContain('Acked later');
    expect(slack!.body).not.toContain('Resolved later');

    for (const channel of ['hook-1', 'chat-1']) {
      expect((await digestOf(channel)).map((d) => [d.state, d.alert_count])).toEqual([['sent', 1]]);
      // The cancelled deliveries were not sent with it; the open one was.
      const rows = await deliveries(ids, channel);
      expect(rows.map((d) => [d.state, d.sent_at?.getTime() ?? null])).toEqual([
        ['cancelled', null],
        ['cancelled', null],
        ['digested', sendAt.getTime()],
      ]);
    }
  });

  it('sends no digest when all its alerts were handled after a failed attempt, and ends it cancelled with the reason', async () => {
    const { ids, windowEnd } = await burst('k2', ['hook-2'], ['First', 'Second']);
    recv.respond = (req) => (req.path === '/hook-2' ? { status: 500, body: 'try later' } : { status: 200, body: 'ok' });
    try {
      expect(await sendDigest(at(windowEnd), 'hook-2')).toBe('retry');
    } finally {
      recv.respond = () => ({ status: 200, body: 'ok' });
    }
    expect(requestsTo('/hook-2')).toHaveLength(1);
    const [waiting] = await digestOf('hook-2');
    expect(waiting!.state).toBe('pending');

    expect((await post(`/v1/alerts/${ids[0]}/ack`)).status).toBe(200);
    expect((await post(`/v1/alerts/${ids[1]}/resolve`)).status).toBe(200);

    expect(await sendDigest(at(waiting!.next_attempt_at), 'hook-2')).toBe('cancelled');
    expect(requestsTo('/hook-2')).toHaveLength(1);
    expect((await digestOf('hook-2')).map((d) => [d.state, d.attempts, d.alert_count, d.last_error])).toEqual([['cancelled', 1, 0, EMPTY_DIGEST_REASON]]);
    expect((await deliveries(ids, 'hook-2')).map((d) => d.state)).toEqual(['cancelled', 'cancelled']);
    // Final: not resumed, not swept up as stale work, nothing more to send.
    const later = new Date(waiting!.next_attempt_at.getTime() + 3_600_000);
    expect((await findStaleWork(n.t.db, later)).digestChannels).not.toContain('hook-2');
    expect(await sendDigest(at(later), 'hook-2')).toBe('nothing');
    expect(requestsTo('/hook-2')).toHaveLength(1);
  });

  it('keeps an alert acknowledged before its digest died out of the dead letters, so `alerts retry --dead` does not send it', async () => {
    const { ids, windowEnd } = await burst('k3', ['hook-3'], ['Acked', 'Not acked']);
    const resume = new Date(windowEnd.getTime() + 30_000);
    await pause('hook-3', resume);
    expect(await sendDigest(at(windowEnd), 'hook-3')).toBe('deferred');
    expect((await post(`/v1/alerts/${ids[0]}/ack`)).status).toBe(200);

    recv.respond = (req) => (req.path === '/hook-3' ? { status: 410, body: 'gone' } : { status: 200, body: 'ok' });
    try {
      expect(await sendDigest(at(new Date(resume.getTime() + 1000)), 'hook-3')).toBe('dead');
    } finally {
      recv.respond = () => ({ status: 200, body: 'ok' });
    }
    expect(requestsTo('/hook-3').map((r) => r.json.alerts.map((a: { id: string }) => a.id))).toEqual([[ids[1]]]);
    const rows = await deliveries(ids, 'hook-3');
    expect(rows.map((d) => d.state)).toEqual(['cancelled', 'dead']);
    expect(rows[0]!.last_error).toBe('acknowledged by token:lead before it was sent');
    expect(rows[1]!.last_error).toContain('answered 410');
    expect(await retryDead(n.deps, rows.map((d) => d.id))).toBe(1);
    expect((await deliveries(ids, 'hook-3')).map((d) => d.state)).toEqual(['cancelled', 'pending']);
  });
});

describe('an acknowledgement racing the digest claim (row lock on the digest)', () => {
  it('leaves the alert in a digest claimed first: it is on its way, and a notifier killed mid-send resends it whole under the same id', async () => {
    const { ids, windowEnd } = await burst('k4', ['hook-4'], ['Acked during the send', 'Other']);
    await pause('hook-4', new Date(windowEnd.getTime() + 30_000));
    expect(await sendDigest(at(windowEnd), 'hook-4')).toBe('deferred');
    const [digest] = await digestOf('hook-4');

    // What sendDigest's claim does: lock the digest, mark it 'sending'; hold it open.
    const claim = await holdOpen(async (trx) => {
      await sql`select id from digests where id = ${digest!.id} for update`.execute(trx);
      await notifierDb(trx).updateTable('digests').set({ state: 'sending', attempts: 1, updated_at: new Date(Date.now() - 3_600_000) }).where('id', '=', digest!.id).execute();
    });
    const ack = post(`/v1/alerts/${ids[0]}/ack`);
    await eventually(async () => (await waitingForLock()) > 0, 10_000, 'the acknowledgement waiting for the digest row');
    await claim.commit();
    expect((await ack).status).toBe(200);
    expect((await deliveries(ids, 'hook-4')).map((d) => d.state)).toEqual(['digested', 'digested']);

    // The claiming notifier died mid-send (its 'sending' is older than a lease): the resend carries both, same id.
    expect(await sendDigest(at(new Date(windowEnd.getTime() + 31_000)), 'hook-4')).toBe('sent');
    const [sent] = requestsTo('/hook-4');
    expect(requestsTo('/hook-4')).toHaveLength(1);
    expect(sent!.deliveryId).toBe(digest!.id);
    expect(sent!.json.alerts.map((a: { id: string }) => a.id)).toEqual(ids);
  });

  it('waits for an acknowledgement holding the digest row, then sends the digest without that alert', async () => {
    const { ids, windowEnd } = await burst('k5', ['hook-5'], ['Acked while claiming', 'Other']);
    await pause('hook-5', new Date(windowEnd.getTime() + 30_000));
    expect(await sendDigest(at(windowEnd), 'hook-5')).toBe('deferred');

    const ack = await holdOpen(async (trx) => {
      await ackAndStopEscalation(trx, ids[0]!, 'lead', new Date());
    });
    const sending = sendDigest(at(new Date(windowEnd.getTime() + 31_000)), 'hook-5');
    await eventually(async () => (await waitingForLock()) > 0, 10_000, 'the digest claim waiting for the digest row');
    await ack.commit();
    expect(await sending).toBe('sent');
    expect(requestsTo('/hook-5').map((r) => r.json.alerts.map((a: { id: string }) => a.id))).toEqual([[ids[1]]]);
    expect((await deliveries(ids, 'hook-5')).map((d) => d.state)).toEqual(['cancelled', 'digested']);
  });
});
