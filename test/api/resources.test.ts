// /v1/breaches (JSON and CSV), /v1/cases (filters, sort by time left, timeline), /v1/handles, scorecards, latency stats and admin changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, seedAlert, seedCase, NOW, type ApiHarness } from './helpers.ts';

let h: ApiHarness;
let read: string;
let admin: string;
const HOUR = 3600_000;
const at = (hoursBeforeNow: number, minutes = 0) => new Date(NOW.getTime() - hoursBeforeNow * HOUR + minutes * 60_000);
let answered: string;
let waitingOld: string;
let waitingNew: string;
let railCase: string;

async function seedBreach(caseId: string, handle: string, metric: string, dueAt: Date, seq = 0) {
  const row = await h.t.db
    .insertInto('breaches')
    .values({ case_id: caseId, handle_id: h.ids.handles[handle], team_id: null, metric, sequence: seq, policy: 'fast', clock: 'wall', target_seconds: 1800, started_at: new Date(dueAt.getTime() - 1800_000), due_at: dueAt, over_by_seconds: 600 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  h = await apiHarness();
  read = await h.token('read');
  admin = await h.token('admin');
  answered = await seedCase(h, {
    handle: 'AcmeHelp',
    customer: '115712',
    openedAt: at(30),
    state: 'closed',
    flags: ['churn_threat'],
    tweets: [
      { role: 'customer', at: at(30), text: '@AcmeHelp my router is dead, switching to another provider', flags: ['complaint', 'churn_threat'], reasons: ['churn: "switching to another provider"'] },
      { role: 'customer', at: at(30, 20), text: '@AcmeHelp hello??', flags: ['nudge'], reasons: ['nudge: "hello??"'] },
      { role: 'brand', at: at(29), text: '@115712 Sorry to hear that, please DM us your account number ^JS', kind: 'dm_request', flags: ['signed', 'empathy'], reasons: ['dm: "DM us"', 'signed: "^JS"'] },
      { role: 'customer', at: at(28), text: '@AcmeHelp done', flags: [] },
      { role: 'brand', at: at(28, 30), text: '@115712 Fixed, a new router ships today ^JS', kind: 'resolution', flags: ['signed'], reasons: ['resolution: "ships today"'] },
    ],
  });
  waitingOld = await seedCase(h, { handle: 'AcmeHelp', customer: '200', openedAt: at(2) });
  waitingNew = await seedCase(h, { handle: 'AcmeHelp', customer: '300', openedAt: at(0, -10) });
  railCase = await seedCase(h, { handle: 'AcmeRail', customer: '400', openedAt: at(5), tweets: [{ role: 'customer', at: at(5), text: '@AcmeRail late again' }, { role: 'brand', at: at(4), text: 'Please call 0800 123', kind: 'channel_redirect' }] });
  await seedBreach(answered, 'AcmeHelp', 'first_response', at(29, 30));
  await seedBreach(waitingOld, 'AcmeHelp', 'first_response', at(1, 30));
  await seedBreach(railCase, 'AcmeRail', 'first_response', at(4, 30));
  await seedAlert(h, { handle: 'AcmeHelp', caseId: answered, kind: 'first_response_breach' });
});
afterAll(() => h.close());

describe('GET /v1/breaches', () => {
  it('lists the breach log newest due first, filtered by handle, team, metric and time', async () => {
    const all = await (await h.get('/v1/breaches', read)).json();
    expect(all.data.map((b: { case_id: string }) => b.case_id)).toEqual([waitingOld, railCase, answered]);
    expect(all.data[0]).toMatchObject({ handle: 'AcmeHelp', team: 'care', metric: 'first_response', target_seconds: 1800, over_by_seconds: 600, customer_id: '200' });
    const rail = await (await h.get('/v1/breaches?team=rail', read)).json();
    expect(rail.data.map((b: { case_id: string }) => b.case_id)).toEqual([railCase]);
    const window = await (await h.get(`/v1/breaches?handle=AcmeHelp&metric=first_response&from=${at(3).toISOString()}&to=${NOW.toISOString()}`, read)).json();
    expect(window.data.map((b: { case_id: string }) => b.case_id)).toEqual([waitingOld]);
    expect((await (await h.get('/v1/breaches?metric=next_response', read)).json()).data).toEqual([]);
    const page1 = await (await h.get('/v1/breaches?limit=2', read)).json();
    const page2 = await (await h.get(`/v1/breaches?limit=2&cursor=${page1.next_cursor}`, read)).json();
    expect([...page1.data, ...page2.data].map((b: { id: string }) => b.id)).toEqual(all.data.map((b: { id: string }) => b.id));
  });

  it('answers CSV with a header row for Accept: text/csv or format=csv', async () => {
    const res = await h.get('/v1/breaches?handle=AcmeHelp', read, { accept: 'text/csv' });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0].split(',')).toEqual(expect.arrayContaining(['id', 'case_id', 'handle', 'team', 'metric', 'due_at', 'over_by_seconds']));
    expect(lines).toHaveLength(3);
    const header = lines[0].split(',');
    expect(lines[1].split(',')[header.indexOf('case_id')]).toBe(waitingOld);
    const viaQuery = await h.get('/v1/breaches?format=csv&limit=1', read);
    expect(viaQuery.headers.get('x-next-cursor')).toBeTruthy();
    expect((await viaQuery.text()).trim().split('\r\n')).toHaveLength(2);
  });
});

describe('GET /v1/cases', () => {
  it('lists newest opened first and filters by handle, team, state, customer, time and flag', async () => {
    const q = async (qs: string) => (await (await h.get(`/v1/cases?${qs}`, read)).json()).data.map((c: { id: string }) => c.id);
    expect(await q('')).toEqual([waitingNew, waitingOld, railCase, answered]);
    expect(await q('team=rail')).toEqual([railCase]);
    expect(await q('handle=AcmeHelp&state=closed')).toEqual([answered]);
    expect(await q('customer=cust200')).toEqual([waitingOld]);
    expect(await q('customer=300')).toEqual([waitingNew]);
    expect(await q(`from=${at(6).toISOString()}&to=${at(1).toISOString()}`)).toEqual([waitingOld, railCase]);
    expect(await q('flag=churn_threat')).toEqual([answered]);
  });

  it('sorts waiting cases by time left with sort=due', async () => {
    const body = await (await h.get('/v1/cases?sort=due&limit=1', read)).json();
    expect(body.data[0]).toMatchObject({ id: waitingOld, due_at: new Date(at(2).getTime() + 30 * 60_000).toISOString(), policy: 'fast' });
    const next = await (await h.get(`/v1/cases?sort=due&limit=1&cursor=${body.next_cursor}`, read)).json();
    expect(next.data.map((c: { id: string }) => c.id)).toEqual([waitingNew]);
    expect(next.next_cursor).toBeNull();
    // A cursor of one sort order is refused by the other.
    expect((await h.get(`/v1/cases?cursor=${body.next_cursor}`, read)).status).toBe(400);
  });

  it('returns a case timeline with classifications, reasons, waits, breaches and alerts', async () => {
    const body = await (await h.get(`/v1/cases/${answered}`, read)).json();
    expect(body.case).toMatchObject({ id: answered, handle: 'AcmeHelp', state: 'closed', flags: ['churn_threat'], first_response_seconds: 3600 });
    expect(body.timeline.map((t: { role: string; kind: string | null }) => [t.role, t.kind])).toEqual([
      ['customer', null],
      ['customer', null],
      ['brand', 'dm_request'],
      ['customer', null],
      ['brand', 'resolution'],
    ]);
    expect(body.timeline[0].flags).toEqual(['complaint', 'churn_threat']);
    expect(body.timeline[2]).toMatchObject({ flags: ['signed', 'empathy'], reasons: ['dm: "DM us"', 'signed: "^JS"'], wait_seconds: 3600 });
    expect(body.waits).toEqual([
      { from: at(30).toISOString(), to: at(29).toISOString(), seconds: 3600, answered_by: body.timeline[2].id },
      { from: at(28).toISOString(), to: at(28, 30).toISOString(), seconds: 1800, answered_by: body.timeline[4].id },
    ]);
    expect(body.breaches).toHaveLength(1);
    expect(body.alerts).toHaveLength(1);
    expect((await h.get('/v1/cases/99999999', read)).status).toBe(404);
  });
});

describe('GET /v1/handles and scorecards', () => {
  it('lists handles with last poll, open and waiting cases and health', async () => {
    await h.t.db.updateTable('handles').set({ last_polled_at: at(0, -2), health: 'degraded', health_detail: 'rate limited' }).where('handle', '=', 'AcmeHelp').execute();
    const body = await (await h.get('/v1/handles', read)).json();
    expect(body.data.map((x: { handle: string }) => x.handle)).toEqual(['AcmeHelp', 'AcmeRail']);
    expect(body.data[0]).toMatchObject({ team: 'care', policy: 'fast', open_cases: 2, waiting: 2, health: 'degraded', health_detail: 'rate limited', poll_lag_seconds: 120, oldest_waiting_since: at(2).toISOString() });
    expect(body.data[1]).toMatchObject({ open_cases: 1, waiting: 0, last_polled_at: null, poll_lag_seconds: null });
  });

  it('scores a handle on speed, clarity and personality over a period', async () => {
    const res = await h.get(`/v1/handles/acmehelp/scorecard?from=${at(48).toISOString()}&to=${NOW.toISOString()}`, read);
    expect(res.status).toBe(200);
    const card = await res.json();
    expect(card).toMatchObject({ handle: 'AcmeHelp', cases: 3 });
    expect(card.speed).toMatchObject({ target_seconds: 1800, answered: 1, median_first_response_seconds: 3600, within_target_share: 0, waiting_now: 2 });
    expect(card.clarity).toMatchObject({ replies: 2, deflection_rate: 0, resolution_rate: 0.5, kinds: { dm_request: 1, resolution: 1 } });
    expect(card.personality).toMatchObject({ signed_share: 1, empathy_share: 0.5, canned_share: 0, uses_name_share: 0 });
    const rail = await (await h.get('/v1/handles/AcmeRail/scorecard', read)).json();
    expect(rail.clarity.deflection_rate).toBe(1);
    expect((await h.get('/v1/handles/Nobody/scorecard', read)).status).toBe(404);
    expect((await h.get(`/v1/handles/AcmeHelp/scorecard?from=${NOW.toISOString()}&to=${at(1).toISOString()}`, read)).status).toBe(400);
  });
});

describe('GET /v1/stats/latency', () => {
  it('buckets median and p90 first response against the target', async () => {
    const body = await (await h.get(`/v1/stats/latency?bucket=day&from=2017-10-30&to=2017-11-02`, read)).json();
    expect(body.bucket).toBe('day');
    expect(body.data).toEqual([
      { start: '2017-10-31T00:00:00.000Z', cases: 1, answered: 1, median_seconds: 3600, p90_seconds: 3600, target_seconds: 1800, within_target_share: 0 },
      { start: '2017-11-01T00:00:00.000Z', cases: 3, answered: 1, median_seconds: 3600, p90_seconds: 3600, target_seconds: 1800, within_target_share: 1 },
    ]);
    const hourly = await (await h.get(`/v1/stats/latency?handle=AcmeRail&bucket=hour&from=2017-11-01&to=2017-11-02`, read)).json();
    expect(hourly.data).toEqual([{ start: '2017-11-01T07:00:00.000Z', cases: 1, answered: 1, median_seconds: 3600, p90_seconds: 3600, target_seconds: 3600, within_target_share: 1 }]);
    expect((await h.get('/v1/stats/latency?bucket=week', read)).status).toBe(400);
  });
});

describe('/v1/admin', () => {
  it('creates and updates configuration at run time, with the config file schemas', async () => {
    expect((await h.post('/v1/admin/calendars', admin, { name: 'nyc', timezone: 'America/New_York', hours: { mon: ['09:00-17:00'] } })).status).toBe(201);
    expect((await h.post('/v1/admin/policies', admin, { name: 'vip', firstResponseMinutes: 15 })).status).toBe(201);
    expect((await h.post('/v1/admin/teams', admin, { name: 'east', calendar: 'nyc' })).status).toBe(201);
    const created = await h.post('/v1/admin/handles', admin, { handle: 'AcmeEast', team: 'east', policy: 'vip' });
    expect(created.status).toBe(201);
    expect((await created.json()).handle).toMatchObject({ handle: 'AcmeEast', team: 'east', policy: 'vip' });
    const moved = await h.post('/v1/admin/handles', admin, { handle: 'AcmeEast', team: 'care', policy: 'vip' });
    expect(moved.status).toBe(200);
    expect((await moved.json()).created).toBe(false);
    const handles = await (await h.get('/v1/handles', read)).json();
    expect(handles.data.find((x: { handle: string }) => x.handle === 'AcmeEast')).toMatchObject({ team: 'care', policy: 'vip' });
    expect((await h.post('/v1/admin/channels', admin, { name: 'ops', type: 'webhook', url: 'https://hooks.example/x', secret: 'a-secret-of-sixteen+' })).status).toBe(201);
    expect((await h.post('/v1/admin/routes', admin, { name: 'east-ops', match: { teams: ['east'] }, channels: ['ops'] })).status).toBe(201);
    const channels = await (await h.get('/v1/admin/channels', admin)).json();
    expect(JSON.stringify(channels)).not.toContain('a-secret-of-sixteen');
    const policies = await (await h.get('/v1/admin/policies', admin)).json();
    expect(policies.data.find((p: { name: string }) => p.name === 'vip')).toMatchObject({ firstResponseMinutes: 15, clock: 'business' });
  });

  it('refuses references to objects that do not exist, naming the field', async () => {
    const res = await h.post('/v1/admin/handles', admin, { handle: 'Ghost', team: 'nope' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.details).toEqual([{ path: ['team'], message: 'unknown team "nope"' }]);
    const route = await (await h.post('/v1/admin/routes', admin, { name: 'r', channels: ['console', 'missing'] })).json();
    expect(route.error.details[0].path).toEqual(['channels', 1]);
  });
});
