// The auth matrix: no token, wrong or revoked token (401 + WWW-Authenticate), another team's ids (404), read token writing (403).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, seedAlert, seedCase, NOW, type ApiHarness } from './helpers.ts';
import { revokeToken, findToken } from '../../src/db/token.repository.ts';

let h: ApiHarness;
let careAlert: string;
let railAlert: string;
let railCase: string;
beforeAll(async () => {
  h = await apiHarness();
  careAlert = await seedAlert(h, { handle: 'AcmeHelp' });
  railAlert = await seedAlert(h, { handle: 'AcmeRail' });
  railCase = await seedCase(h, { handle: 'AcmeRail', openedAt: new Date(NOW.getTime() - 3600_000) });
});
afterAll(() => h.close());

describe('bearer auth on /v1', () => {
  it('answers 401 with WWW-Authenticate when the token is missing', async () => {
    const res = await h.get('/v1/alerts');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await res.json()).error.code).toBe('UNAUTHORIZED');
  });

  it('answers 401 for an unknown token and for a malformed header', async () => {
    const wrong = await h.get('/v1/alerts', 'rw_not-a-real-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const basic = await h.get('/v1/alerts', undefined, { authorization: 'Basic abc' });
    expect(basic.status).toBe(401);
  });

  it('answers 401 once a token is revoked', async () => {
    const token = await h.token('read');
    expect((await h.get('/v1/alerts', token)).status).toBe(200);
    const p = await findToken(h.t.db, token);
    await revokeToken(h.t.db, p!.tokenId, NOW);
    expect((await h.get('/v1/alerts', token)).status).toBe(401);
  });

  it('stores only a hash of the token', async () => {
    const token = await h.token('read');
    const rows = await h.t.db.selectFrom('api_tokens').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('lets a team token see only its own team: other teams are 404, not 403', async () => {
    const care = await h.token('write', 'care');
    const list = await (await h.get('/v1/alerts', care)).json();
    expect(list.data.map((a: { id: string }) => a.id)).toEqual([careAlert]);
    expect((await h.get(`/v1/alerts/${railAlert}`, care)).status).toBe(404);
    expect((await h.get(`/v1/cases/${railCase}`, care)).status).toBe(404);
    expect((await h.post(`/v1/alerts/${railAlert}/ack`, care)).status).toBe(404);
    expect((await h.get('/v1/handles/AcmeRail/scorecard', care)).status).toBe(404);
    const handles = await (await h.get('/v1/handles', care)).json();
    expect(handles.data.map((x: { handle: string }) => x.handle)).toEqual(['AcmeHelp']);
    const unknown = await h.get('/v1/alerts/999999', care);
    expect(unknown.status).toBe(404);
    // The two 404s are indistinguishable apart from the id.
    const other = await (await h.get(`/v1/alerts/${railAlert}`, care)).json();
    expect(other.error.code).toBe((await unknown.json()).error.code);
  });

  it('lets a token with no team see all teams', async () => {
    const all = await h.token('read');
    const list = await (await h.get('/v1/alerts', all)).json();
    expect(list.data.map((a: { id: string }) => a.id).sort()).toEqual([careAlert, railAlert].sort());
  });

  it('refuses writes with a read token (403) and allows them with write', async () => {
    const read = await h.token('read', 'care');
    const res = await h.post(`/v1/alerts/${careAlert}/ack`, read);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('FORBIDDEN');
    const write = await h.token('write', 'care');
    expect((await h.post(`/v1/alerts/${careAlert}/ack`, write)).status).toBe(200);
  });

  it('keeps configuration for admin tokens not limited to a team', async () => {
    const write = await h.token('write');
    expect((await h.get('/v1/admin/teams', write)).status).toBe(403);
    const teamAdmin = await h.token('admin', 'care');
    expect((await h.get('/v1/admin/teams', teamAdmin)).status).toBe(403);
    const admin = await h.token('admin');
    expect((await h.get('/v1/admin/teams', admin)).status).toBe(200);
  });

  it('leaves health, metrics and the docs open', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) expect((await h.get(path)).status, path).toBe(200);
  });
});

describe('METRICS_TOKEN', () => {
  let m: ApiHarness;
  const token = 'scrape-4f9c2a7e1b6d';
  beforeAll(async () => {
    m = await apiHarness({ METRICS_TOKEN: token });
  });
  afterAll(() => m.close());

  it('guards /metrics with the configured token; health and docs stay open', async () => {
    const none = await m.get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await none.json()).error.message).toContain('METRICS_TOKEN');
    expect((await m.get('/metrics', 'scrape-wrong-token-000')).status).toBe(401);
    const ok = await m.get('/metrics', token);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('replywatch_');
    // An API token is not the metrics token.
    expect((await m.get('/metrics', await m.token('admin'))).status).toBe(401);
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs']) expect((await m.get(path)).status, path).toBe(200);
  });
});
