// Owns /openapi.json and the offline /docs page: Swagger UI served from the swagger-ui-dist package, never a CDN.
import fs from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from './env.ts';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const assetDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>replywatch API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

// A separate file rather than an inline script, so a strict Content-Security-Policy can stay on.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  persistAuthorization: true,
  validatorUrl: null
});`;

export function openApiDocument(app: OpenAPIHono<ApiEnv>, version: string) {
  return app.getOpenAPIDocument({
    openapi: '3.0.3',
    info: {
      title: 'replywatch API',
      version,
      description:
        'Cases, waits, breaches and alerts of watched X support handles. Every /v1 request needs `Authorization: Bearer <token>` ' +
        '(create one with `replywatch token create`). Team-limited tokens see only their team; other teams’ ids answer 404.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [
      { name: 'alerts' },
      { name: 'breaches' },
      { name: 'cases' },
      { name: 'handles' },
      { name: 'stats' },
      { name: 'admin', description: 'Run-time configuration; needs an admin token not limited to a team' },
    ],
  });
}

export function docsRoutes(api: OpenAPIHono<ApiEnv>, version: string): Hono {
  const app = new Hono();
  const cache = new Map<string, Buffer>();
  let doc: string | undefined;

  app.get('/openapi.json', (c) => {
    // Built once: routes do not change after start.
    doc ??= JSON.stringify(openApiDocument(api, version));
    return c.body(doc, 200, { 'content-type': 'application/json; charset=utf-8' });
  });
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/init.js', (c) => c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return c.notFound();
    let body = cache.get(file);
    if (!body) {
      body = await fs.readFile(path.join(assetDir, file));
      cache.set(file, body);
    }
    return c.body(new Uint8Array(body), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return app;
}
