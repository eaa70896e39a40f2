import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier, eventually, type Notifier } from './harness.ts';
import { startReceiver, type FakeReceiver } from '../fakes/receiver.ts';
import { raiseAlert, type NewAlert } from '../../src/alerts/raise.ts';
import { verify } from '../../src/alerts/signature.ts';
import { listDeadDeliveries } from '../../src/db/delivery.repository.ts';
import { retryDead } from '../../src/alerts/recover.ts';
import { notifierDb } from '../../src/db/notifier.schema.ts';

const SECRET = 'test-secret-0123456789';
let hook: FakeReceiver;
let slack: FakeReceiver;
let n: Notifier;
let handleId: number;
let caseId: string;

beforeAll(async () => {
  hook = await startReceiver();
  slack = await startReceiver();
  n = await createNotifier(
    { DELIVERY_MAX_ATTEMPTS: '30', PUBLIC_URL: 'https://rw.example.com' },
    {
      teams: [{ name: 'care', calendar: 'always' }],
      handles: [{ handle: 'AcmeHelp', team: 'care' }],
      channels: [
        { name: 'hook', type: 'webhook', url: `${hook.url}/hook`, secret: SECRET },
        { name: 'slack', type: 'slack', url: `${slack.url}/services/T000/B000/XXXX` },
      ],
      routes: [
        { name: 'care-hook', match: { teams: ['care'], kinds: ['sla_breach', 'outage'] }, channels: ['hook'] },
        { name: 'care-slack', match: { teams: ['care'], kinds: ['sla_breach'], minSeverity: 'critical' }, channels: ['slack'] },
      ],
    },
  );
  handleId = (await n.t.db.selectFrom('handles').select('id').executeTakeFirstOrThrow()).id;
  const c = await n.t.db
    .insertInto('cases')
    .values({ case_key: 'k1', handle_id: handleId, customer_id: '115712', customer_username: 'jane', opening_tweet_id: '900', opened_at: new Date(), first_customer_at: new Date(), last_customer_at: new Date(), awaiting_since: new Date(Date.now() - 75 * 60_000), summary: '{}', next_response_seconds: '[]', next_response_business_seconds: '[]' })
    .returning('id')
    .executeTakeFirstOrThrow();
  caseId = c.id;
  await n.startWorkers();
});

afterAll(async () => {
  await n?.close();
  await hook?.stop();
  await slack?.stop();
});

let seq = 0;
function alert(over: Partial<NewAlert> = {}): NewAlert {
  seq++;
  return { kind: 'sla_breach', severity: 'warning', dedupKey: `test:${seq}:${Date.now()}`, handleId, caseId, tweetId: '1234567890123456789', title: `First response overdue #${seq}`, reasons: ['waited 75 min', 'target 60 min'], details: { targetSeconds: 3600 }, ...over };
}

async function raise(a: NewAlert) {
  return n.t.db.transaction().execute((trx) => raiseAlert(trx, a, { now: new Date() }));
}

describe('webhook delivery', () => {
  it('sends a signed JSON alert with a delivery id, once, and is idempotent on the dedup key', async () => {
    hook.requests.length = 0;
    const a = alert();
    const first = await raise(a);
    const again = await raise(a);
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    await hook.waitFor((r) => r.length >= 1);
    const req = hook.requests[0];
    expect(req.json.type).toBe('alert');
    expect(req.json.alert).toMatchObject({ id: first.id, kind: 'sla_breach', handle: 'AcmeHelp', team: 'care', customer: '@jane', targetSeconds: 3600 });
    expect(req.json.alert.links).toEqual({
      tweet: 'https://x.com/i/status/1234567890123456789',
      dashboard: `https://rw.example.com/#/cases/${caseId}`,
      api: `https://rw.example.com/v1/cases/${caseId}`,
    });
    const row = await n.t.db.selectFrom('deliveries').selectAll().where('alert_id', '=', first.id).executeTakeFirstOrThrow();
    expect(req.deliveryId).toBe(row.delivery_id);
    expect(req.json.deliveryId).toBe(row.delivery_id);
    expect(verify(SECRET, req.headers['x-replywatch-signature'] as string, req.body, new Date())).toBe(true);
    expect(verify('another-secret-012345', req.headers['x-replywatch-signature'] as string, req.body, new Date())).toBe(false);
    await eventually(async () => (await n.t.db.selectFrom('deliveries').select('state').where('id', '=', row.id).executeTakeFirst())?.state === 'sent');
    // The route matched once: no second delivery for the duplicate raise.
    expect(await n.t.db.selectFrom('deliveries').select('id').where('alert_id', '=', first.id).execute()).toHaveLength(1);
  });

  it('posts a Block Kit message to Slack for critical alerts, with handle, customer, waited vs target, tweet and case links', async () => {
    const { id } = await raise(alert({ severity: 'critical' }));
    await slack.waitFor((r) => r.some((x) => x.json?.text?.includes('CRITICAL')));
    const msg = slack.requests.find((x) => x.json.text.includes('CRITICAL'))!.json;
    const all = JSON.stringify(msg.blocks);
    expect(msg.blocks[0].type).toBe('header');
    expect(all).toContain('@AcmeHelp');
    expect(all).toContain('@jane');
    expect(all).toMatch(/1h 1\dm \/ 1h/); // waited about 75 minutes against a 60 minute target
    expect(all).toContain('https://x.com/i/status/1234567890123456789');
    expect(all).toContain(`https://rw.example.com/#/cases/${caseId}`);
    expect(all).toContain(`https://rw.example.com/v1/cases/${caseId}`);
    expect(all).toContain('waited 75 min');
    // The warning-level route does not match Slack; the critical one goes to both channels.
    const channels = (await n.t.db.selectFrom('deliveries').select('channel').where('alert_id', '=', id).execute()).map((r) => r.channel).sort();
    expect(channels).toEqual(['hook', 'slack']);
    await eventually(async () => (await n.t.db.selectFrom('deliveries').select('state').where('alert_id', '=', id).execute()).every((r) => r.state === 'sent'), 20_000, 'both sent');
  });

  it('gets every alert to a receiver that was down for a while, once it is back', async () => {
    await hook.stop();
    hook.requests.length = 0;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await raise(alert({ kind: 'outage' }))).id);
    // Wait until every delivery has failed at least twice against the refused connection.
    await eventually(async () => {
      const rows = await n.t.db.selectFrom('deliveries').select(['attempts', 'state']).where('alert_id', 'in', ids).execute();
      return rows.every((r) => r.attempts >= 2 && r.state === 'pending');
    }, 25_000, 'failed attempts while down');
    expect(hook.requests).toHaveLength(0);
    await hook.start();
    await eventually(async () => {
      const rows = await n.t.db.selectFrom('deliveries').select('state').where('alert_id', 'in', ids).execute();
      return rows.every((r) => r.state === 'sent');
    }, 25_000, 'all sent after recovery');
    const got = hook.requests.map((r) => r.json.alert.id).sort();
    expect(got).toEqual([...ids].sort());
    const errors = await notifierDb(n.t.db).selectFrom('delivery_attempts').select(['outcome', 'error']).where('outcome', '=', 'failed').execute();
    expect(errors.length).toBeGreaterThanOrEqual(10);
    // Errors name the host, never the URL path (which carries Slack's secret).
    expect(errors.every((e) => e.error!.includes('127.0.0.1') && !e.error!.includes('/hook'))).toBe(true);
  });

  it('honours Retry-After on 429', async () => {
    hook.requests.length = 0;
    hook.respond = (_req, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '2' }, body: 'slow down' } : { status: 200, body: 'ok' });
    try {
      await raise(alert({ kind: 'outage' }));
      await hook.waitFor((r) => r.length >= 2);
      expect(hook.requests[0].deliveryId).toBe(hook.requests[1].deliveryId);
      expect(hook.requests[1].at - hook.requests[0].at).toBeGreaterThanOrEqual(2000);
      const attempts = await eventually(async () => {
        const rows = await notifierDb(n.t.db).selectFrom('delivery_attempts').select(['outcome', 'status']).where('delivery_id', '=', hook.requests[0].deliveryId!).orderBy('attempt').execute();
        return rows.length >= 2 && rows;
      });
      expect(attempts).toEqual([
        { outcome: 'rate_limited', status: 429 },
        { outcome: 'sent', status: 200 },
      ]);
    } finally {
      hook.respond = () => ({ status: 200, body: 'ok' });
    }
  });

  it('gives up on a permanent error into the dead list, and retry --dead requeues it with the same delivery id', async () => {
    hook.requests.length = 0;
    hook.respond = () => ({ status: 410, body: 'gone' });
    const { id } = await raise(alert({ kind: 'outage' }));
    const dead = (await eventually(async () => (await listDeadDeliveries(n.t.db)).find((d) => d.alert_id === id), 25_000, 'dead delivery'))!;
    expect(dead.last_error).toContain('answered 410');
    // What a support lead reads in `alerts dead`: the URL is the problem, and how to resend once it is fixed.
    expect(dead.last_error).toContain("fix the channel's URL, then `replywatch alerts retry --dead`");
    expect(dead.last_error).not.toContain('/hook');
    expect(hook.requests).toHaveLength(1);
    hook.respond = () => ({ status: 200, body: 'ok' });
    expect(await retryDead(n.deps)).toBe(1);
    await hook.waitFor((r) => r.length >= 2);
    expect(hook.requests[1].deliveryId).toBe(dead.delivery_id);
    await eventually(async () => (await listDeadDeliveries(n.t.db)).length === 0, 25_000, 'dead list empty');
  });
});
