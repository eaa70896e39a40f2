// The API's plumbing: OpenAPI document validity, offline docs, /metrics names, error shapes (400/404/413/415), headers, CORS and request logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { apiHarness, seedAlert, type ApiHarness } from './helpers.ts';

let h: ApiHarness;
let admin: string;
let read: string;
beforeAll(async () => {
  h = await apiHarness({ API_BODY_LIMIT_BYTES: '1024' });
  admin = await h.token('admin');
  read = await h.token('read');
});
afterAll(() => h.close());

describe('OpenAPI and docs', () => {
  it('serves an OpenAPI 3 document that validates and lists every /v1 path', async () => {
    const res = await h.get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/v1/alerts', '/v1/alerts/{id}/ack', '/v1/alerts/{id}/resolve', '/v1/breaches', '/v1/cases', '/v1/cases/{id}', '/v1/handles', '/v1/handles/{handle}/scorecard', '/v1/stats/latency', '/v1/admin/handles', '/v1/admin/routes']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    // The admin body is the config file's own schema: a handle needs `handle` and `team`.
    const handleBody = doc.paths['/v1/admin/handles'].post.requestBody.content['application/json'].schema;
    expect(handleBody.required).toEqual(expect.arrayContaining(['handle', 'team']));
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves /docs with Swagger UI assets from the package, never a CDN', async () => {
    const page = await (await h.get('/docs')).text();
    expect(page).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(page).not.toMatch(/https?:\/\//);
    const js = await h.get('/docs/assets/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await js.text()).length).toBeGreaterThan(100_000);
    const init = await (await h.get('/docs/init.js')).text();
    expect(init).toContain("url: '/openapi.json'");
    expect((await h.get('/docs/assets/..%2Fpackage.json')).status).toBe(404);
  });
});

describe('/metrics', () => {
  it('exposes the Prometheus metrics, computed from the database at scrape time', async () => {
    await seedAlert(h, { handle: 'AcmeHelp', kind: 'handle_silent' });
    await h.t.db.updateTable('handles').set({ last_polled_at: new Date(Date.parse('2017-11-01T11:59:00Z')) }).where('handle', '=', 'AcmeHelp').execute();
    await h.get('/v1/alerts', read);
    const res = await h.get('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of [
      'replywatch_tweets_ingested',
      'replywatch_poll_lag_seconds',
      'replywatch_x_rate_limit_remaining',
      'replywatch_open_cases',
      'replywatch_alerts',
      'replywatch_deliveries',
      'replywatch_deliveries_failed',
      'replywatch_job_queue_depth',
      'replywatch_http_request_duration_seconds',
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('replywatch_alerts{kind="handle_silent",state="open"} 1');
    expect(text).toContain('replywatch_poll_lag_seconds{handle="AcmeHelp"} 60');
    expect(text).toMatch(/replywatch_http_request_duration_seconds_count\{method="GET",route="\/v1\/alerts",status="200"\} \d+/);
  });
});

describe('errors', () => {
  it('answers 400 naming the field, with zod issues as details', async () => {
    const res = await h.get('/v1/alerts?limit=501', read);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('INVALID_REQUEST');
    expect(body.error.message).toContain('"limit"');
    expect(body.error.details[0]).toMatchObject({ in: 'query', path: ['limit'] });
    const since = await (await h.get('/v1/alerts?since=yesterday', read)).json();
    expect(since.error.message).toContain('"since"');
    const sev = await (await h.get('/v1/alerts?severity=loud', read)).json();
    expect(sev.error.message).toContain('"severity');
    const cur = await (await h.get('/v1/alerts?cursor=bm9wZQ', read)).json();
    expect(cur.error.message).toContain('"cursor"');
    const id = await h.get('/v1/cases/abc', read);
    expect(id.status).toBe(400);
    expect((await id.json()).error.message).toContain('"id"');
  });

  it('answers 400 naming the body field for an invalid admin object', async () => {
    const res = await h.post('/v1/admin/policies', admin, { name: 'slow', firstResponseMinutes: -5 });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.message).toContain('"firstResponseMinutes"');
    expect(body.error.details[0]).toMatchObject({ in: 'json', path: ['firstResponseMinutes'] });
  });

  it('answers 404 for unknown ids and routes, in the error shape', async () => {
    const res = await h.get('/v1/alerts/123456', read);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'alert 123456 was not found', details: null } });
    expect((await h.get('/v1/nope', read)).status).toBe(404);
  });

  it('answers 413 above the body limit', async () => {
    const res = await h.post('/v1/admin/teams', admin, { name: 'big', padding: 'x'.repeat(2000) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 415 for bodies that are not JSON', async () => {
    const res = await h.post('/v1/admin/teams', admin, 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect((await res.json()).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const plain = await h.post('/v1/admin/teams', admin, '{"name":"x"}', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
  });

  it('never sends a stack trace', async () => {
    const res = await h.post('/v1/admin/teams', admin, '{"name":', {});
    expect(res.status).toBe(400);
    expect(await res.text()).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('headers and logs', () => {
  it('sets security headers and a request id, and logs each request without the Authorization header', async () => {
    const res = await h.get('/v1/handles', read);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const reqId = res.headers.get('x-request-id');
    expect(reqId).toMatch(/^[0-9a-f-]{36}$/);
    const line = h.logLines.find((l) => l.reqId === reqId);
    expect(line).toMatchObject({ msg: 'request', method: 'GET', path: '/v1/handles', status: 200 });
    expect(typeof line!.ms).toBe('number');
    expect(JSON.stringify(h.logLines)).not.toContain(read);
  });

  it('sends no CORS headers unless origins are configured', async () => {
    const res = await h.get('/v1/handles', read, { origin: 'https://evil.example' });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const withCors = await apiHarness({ CORS_ORIGINS: 'https://dash.example' });
    try {
      const pre = await withCors.app.request('/v1/handles', { method: 'OPTIONS', headers: { origin: 'https://dash.example', 'access-control-request-method': 'GET' } });
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://dash.example');
      const other = await withCors.get('/healthz', undefined, { origin: 'https://evil.example' });
      expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    } finally {
      await withCors.close();
    }
  });
});
