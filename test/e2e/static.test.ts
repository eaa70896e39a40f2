// Checks how src/api/dashboard.ts serves web/dist: content types, caching, SPA fallback, the not-built page, and no escape from the folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../../src/api/dashboard.ts';

describe('dashboard static files', () => {
  let dist: string;
  let outside: string;

  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-dist-'));
    dist = path.join(dir, 'dist');
    fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>replywatch</title><script type="module" src="/assets/app-abc123.js"></script>');
    fs.writeFileSync(path.join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dist, 'assets', 'app-abc123.css'), 'body{}');
    // A sibling folder whose name starts like dist's: a naive prefix check would let it through.
    outside = path.join(dir, 'dist-secret');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'token.txt'), 'secret');
  });

  afterAll(() => fs.rmSync(path.dirname(dist), { recursive: true, force: true }));

  it('serves index.html at / with a CSP and no caching, and hashed assets with their types for a year', async () => {
    const app = dashboardRoutes({ distDir: dist });
    const index = await app.request('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await index.text()).toContain('<title>replywatch</title>');

    const js = await app.request('/assets/app-abc123.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    expect((await app.request('/assets/app-abc123.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers page paths with index.html, but a missing asset or an API path with 404', async () => {
    const app = dashboardRoutes({ distDir: dist });
    const page = await app.request('/cases/12');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await app.request('/assets/gone-123.js')).status).toBe(404);
    for (const p of ['/v1/alerts', '/v1', '/metrics', '/docs/x', '/openapi.json', '/healthz']) expect((await app.request(p)).status, p).toBe(404);
    expect((await app.request('/', { method: 'POST' })).status).toBe(404);
  });

  it('never serves a file outside the dist folder', async () => {
    const app = dashboardRoutes({ distDir: dist });
    for (const p of ['/../dist-secret/token.txt', '/%2e%2e/dist-secret/token.txt', '/assets/..%2f..%2fdist-secret%2ftoken.txt', '/%00']) {
      const res = await app.request(p);
      expect(await res.text(), p).not.toContain('secret');
    }
  });

  it('tells the user to build the page when web/dist is missing', async () => {
    const app = dashboardRoutes({ distDir: path.join(path.dirname(dist), 'not-built') });
    const res = await app.request('/');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('npm run build:web');
  });
});
