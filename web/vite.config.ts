// Builds the dashboard (web/) into web/dist, which the API process serves at `/`.
import { defineConfig } from 'vite';
import path from 'node:path';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: '/',
  // Preact through Oxc's automatic JSX runtime: no Babel or framework plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Everything is bundled: the page must work offline and with no CDN.
    assetsInlineLimit: 0,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development talks to a running `npm start`.
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
