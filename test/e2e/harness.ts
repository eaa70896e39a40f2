// Starts the real service on a fresh database for the browser tests, launches Debian's Chromium, and signs in.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startService, type Service } from '../../src/runtime.ts';
import type { Role } from '../../workers/registry.ts';
import { createEmptyDatabase } from '../helpers/db.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping dashboard e2e tests: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);

const root = path.resolve(import.meta.dirname, '..', '..');

/** Screenshots go to a temporary folder unless SCREENSHOT_DIR names one (docs/screenshots for the README). */
export const shotsDir = process.env.SCREENSHOT_DIR ? path.resolve(process.env.SCREENSHOT_DIR) : fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-shots-'));
fs.mkdirSync(shotsDir, { recursive: true });

export interface Harness {
  service: Service;
  base: string;
  browser: Browser;
  stop(): Promise<void>;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds the page unless web/dist is newer than every source, so a test never runs a stale bundle. Test files run
 * in parallel processes: a lock directory keeps one build at a time, so no server reads a half-emptied dist.
 */
export async function buildWeb(): Promise<void> {
  const web = path.join(root, 'web');
  const lock = path.join(os.tmpdir(), 'replywatch-web-build.lock');
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes belongs to a crashed run.
      if (Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const index = fs.statSync(path.join(web, 'dist', 'index.html'), { throwIfNoEntry: false });
    const sources = Math.max(newestSource(path.join(web, 'src')), ...['index.html', 'vite.config.ts'].map((f) => fs.statSync(path.join(web, f)).mtimeMs));
    if (!index || index.mtimeMs < sources) await build({ configFile: path.join(web, 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export async function startHarness(opts: { roles: Role[]; configYaml: string }): Promise<Harness> {
  await buildWeb();
  const database = await createEmptyDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-e2e-'));
  const configFile = path.join(dataDir, 'replywatch.config.yaml');
  fs.writeFileSync(configFile, opts.configYaml);
  const config = loadConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    REPLAY_ENABLED: '0',
    REPLYWATCH_DATA_DIR: dataDir,
    REPLYWATCH_CONFIG: configFile,
  });
  const service = await startService(opts.roles, { config, log: createLogger('warn') });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    service,
    base: `http://127.0.0.1:${service.port}`,
    browser,
    async stop() {
      await browser.close();
      await service.stop();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Browser-side expressions are passed as strings: the tests are type-checked without the DOM library.
export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(base + '/');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export const sessionToken = (page: Page) => page.evaluate<string | null>(`sessionStorage.getItem('replywatch.token')`);
