// Boots one PostgreSQL for the whole run (embedded unless TEST_DATABASE_URL names a server) and hands its URL to every test file.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startEmbedded } from '../src/db/embedded.ts';
import { createLogger } from '../src/log.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-test-pg-'));
  const server = await startEmbedded(dir, createLogger('warn'), { persistent: false, database: 'postgres' });
  project.provide('adminDatabaseUrl', server.url);
  return async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
