// /v1/alerts: filters, keyset pagination that never skips or repeats while alerts keep arriving, ack and resolve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, seedAlert, seedCase, NOW, type ApiHarness } from './helpers.ts';

let h: ApiHarness;
let read: string;
let write: string;
beforeAll(async () => {
  h = await apiHarness();
  read = await h.token('read');
  write = await h.token('write');
});
afterAll(() => h.close());

const ids = (body: { data: { id: string }[] }) => body.data.map((a) => a.id);

describe('GET /v1/alerts', () => {
  it('filters by handle, team, kind, severity, state and time range', async () => {
    const t0 = Date.parse('2017-10-30T00:00:00Z');
    const a = await seedAlert(h, { handle: 'AcmeHelp', kind: 'first_response_breach', severity: 'critical', raisedAt: new Date(t0) });
    const b = await seedAlert(h, { handle: 'AcmeRail', kind: 'unanswered', severity: 'warning', raisedAt: new Date(t0 + 3600_000) });
    const c = await seedAlert(h, { team: 'care', kind: 'surge', severity: 'info', state: 'resolved', raisedAt: new Date(t0 + 7200_000) });
    const q = async (qs: string, until = '2017-10-31') => ids(await (await h.get(`/v1/alerts?${qs}&since=2017-10-30&until=${until}`, read)).json());
    expect(await q('handle=acmehelp')).toEqual([a]);
    // A team's alerts include team-wide ones that have no handle.
    expect(await q('team=care')).toEqual([c, a]);
    expect(await q('kind=unanswered,surge')).toEqual([c, b]);
    expect(await q('severity=critical')).toEqual([a]);
    expect(await q('state=resolved')).toEqual([c]);
    expect(await q('limit=10', '2017-10-30T00:30:00Z')).toEqual([a]);
    const one = await (await h.get(`/v1/alerts/${a}`, read)).json();
    expect(one).toMatchObject({ id: a, handle: 'AcmeHelp', team: 'care', kind: 'first_response_breach', severity: 'critical', state: 'open', reasons: ['waited 61 minutes, target 60'] });
  });

  it('pages with an opaque cursor that never skips or repeats while new alerts are inserted between pages', async () => {
    // Same raised_at for many rows (one transaction's now()) makes the id tie-breaker matter.
    const base = Date.parse('2017-09-01T00:00:00Z');
    const seeded: string[] = [];
    for (let i = 0; i < 45; i++) seeded.push(await seedAlert(h, { handle: i % 2 ? 'AcmeHelp' : 'AcmeRail', raisedAt: new Date(base + Math.floor(i / 5) * 1000) }));
    await h.t.db.insertInto('alerts').values(
      Array.from({ length: 10 }, (_, i) => ({ dedup_key: `same-instant-${i}`, kind: 'surge', severity: 'info', title: 't', reasons: '[]', details: '{}', handle_id: h.ids.handles.AcmeHelp, raised_at: new Date(base + 500) })),
    ).execute();
    // Microseconds that a JS Date cannot hold: the cursor must keep them.
    await h.t.db.insertInto('alerts').values({ dedup_key: 'micro-1', kind: 'surge', severity: 'info', title: 't', reasons: '[]', details: '{}', handle_id: h.ids.handles.AcmeHelp, raised_at: '2017-09-01T00:00:03.000123Z' }).execute();
    await h.t.db.insertInto('alerts').values({ dedup_key: 'micro-2', kind: 'surge', severity: 'info', title: 't', reasons: '[]', details: '{}', handle_id: h.ids.handles.AcmeHelp, raised_at: '2017-09-01T00:00:03.000456Z' }).execute();
    const expected = (await h.t.db.selectFrom('alerts').select('id').where('raised_at', '<', new Date('2017-09-02')).orderBy('raised_at', 'desc').orderBy('id', 'desc').execute()).map((r) => r.id);
    expect(expected.length).toBe(57);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/alerts?until=2017-09-02&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const body = await (await h.get(url, read)).json();
      seen.push(...ids(body));
      cursor = body.next_cursor;
      pages++;
      // Concurrent writers: a new alert now, one in the past inside the range, and one at the exact instant of the last row seen.
      await seedAlert(h, { handle: 'AcmeHelp' });
      if (pages === 2) await seedAlert(h, { handle: 'AcmeRail', raisedAt: new Date(base + 100_000) });
    } while (cursor);
    const original = seen.filter((id) => expected.includes(id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(original).toEqual(expected);
    expect(pages).toBeGreaterThan(8);
  });

  it('returns next_cursor null on the last page and caps limit at 500', async () => {
    const body = await (await h.get('/v1/alerts?limit=500', read)).json();
    expect(body.next_cursor).toBeNull();
    expect((await h.get('/v1/alerts?limit=0', read)).status).toBe(400);
  });
});

describe('POST /v1/alerts/{id}/ack and /resolve', () => {
  it('acknowledges, then resolves, recording who did it; repeats change nothing', async () => {
    const caseId = await seedCase(h, { handle: 'AcmeHelp', openedAt: new Date(NOW.getTime() - 7200_000) });
    const id = await seedAlert(h, { handle: 'AcmeHelp', caseId });
    const ack = await h.post(`/v1/alerts/${id}/ack`, write);
    expect(ack.status).toBe(200);
    const acked = await ack.json();
    expect(acked).toMatchObject({ id, state: 'acknowledged', acknowledged_by: 'token:write-all', acknowledged_at: NOW.toISOString() });
    expect((await (await h.post(`/v1/alerts/${id}/ack`, write)).json()).state).toBe('acknowledged');
    const resolved = await (await h.post(`/v1/alerts/${id}/resolve`, write, { note: 'customer called back' })).json();
    expect(resolved).toMatchObject({ state: 'resolved', resolution: 'customer called back', resolved_by: 'token:write-all' });
    const row = await h.t.db.selectFrom('alerts').select(['state', 'resolution']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'resolved', resolution: 'customer called back' });
    const again = await h.post(`/v1/alerts/${id}/ack`, write);
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('ALERT_RESOLVED');
  });

  it('answers 404 for an unknown alert and 400 for an unknown body field', async () => {
    expect((await h.post('/v1/alerts/987654/resolve', write)).status).toBe(404);
    const id = await seedAlert(h, { handle: 'AcmeHelp' });
    const res = await h.post(`/v1/alerts/${id}/resolve`, write, { nope: 1 });
    expect(res.status).toBe(400);
  });
});
