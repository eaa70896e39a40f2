// Owns serving the built dashboard (web/dist) at `/`: static files with the right content types, and the SPA fallback.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Hono } from 'hono';

export const DEFAULT_DIST_DIR = path.resolve(import.meta.dirname, '..', '..', 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// Paths that belong to the API: an unknown one must stay a JSON 404, never turn into the page.
const API_PREFIXES = ['/v1', '/healthz', '/readyz', '/metrics', '/openapi.json', '/docs'];

// The page talks only to its own origin and loads nothing from elsewhere.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>replywatch: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The dashboard is not built yet</h1>
<p>Run <code>npm run build:web</code> in the replywatch folder (or <code>npm install</code>, which builds it), then reload this page.</p>
<p>The API itself is running: see <a href="/docs">/docs</a>.</p>
</body></html>`;

function isApiPath(p: string): boolean {
  return API_PREFIXES.some((prefix) => p === prefix || p.startsWith(prefix + '/'));
}

/** Resolves a request path inside `root`, or undefined if it would leave it. */
function inside(root: string, requestPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  return file === root || file.startsWith(root + path.sep) ? file : undefined;
}

async function readFile(file: string): Promise<Buffer | undefined> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? await fs.readFile(file) : undefined;
  } catch {
    return undefined;
  }
}

export function dashboardRoutes(opts: { distDir?: string } = {}): Hono {
  const root = path.resolve(opts.distDir ?? DEFAULT_DIST_DIR);
  const app = new Hono();

  const html = (body: string | Buffer, status: 200 | 503 = 200) =>
    new Response(new Uint8Array(body instanceof Buffer ? body : Buffer.from(body)), {
      status,
      headers: {
        'content-type': TYPES['.html']!,
        // index.html names the hashed bundles, so it must be revalidated to pick up a new build.
        'cache-control': 'no-cache',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      },
    });

  app.on(['GET', 'HEAD'], '*', async (c) => {
    const reqPath = c.req.path;
    if (isApiPath(reqPath)) return c.notFound();

    const index = await readFile(path.join(root, 'index.html'));
    if (!index) return html(NOT_BUILT, 503);

    if (reqPath !== '/' && reqPath !== '/index.html') {
      const file = inside(root, reqPath);
      const body = file ? await readFile(file) : undefined;
      if (body) {
        const type = TYPES[path.extname(file!).toLowerCase()] ?? 'application/octet-stream';
        // Vite puts a content hash in every file name under assets/, so those never change.
        const cache = reqPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
        return new Response(new Uint8Array(body), { headers: { 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff' } });
      }
      // A missing asset is a real 404; any other path is a page of the app and gets index.html.
      if (path.extname(reqPath) && !reqPath.endsWith('.html')) return c.notFound();
    }
    return html(index);
  });

  return app;
}
