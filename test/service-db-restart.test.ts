// The whole service through a PostgreSQL restart: every connection drops and new ones are refused for a while; the
// process stays up, /readyz comes back, and tweets stored afterwards still become cases.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/connect.ts';
import { ingestBatch } from '../src/db/ingest.repository.ts';
import { createLogger } from '../src/log.ts';
import { startService, type Service } from '../src/runtime.ts';
import { createEmptyDatabase } from './helpers/db.ts';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.ts';

const HANDLE = 'AcmeCare';
let database: { url: string; drop(): Promise<void> };
let proxy: TcpProxy;
let service: Service | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-db-restart-'));

beforeAll(async () => {
  database = await createEmptyDatabase();
  proxy = await startTcpProxy(database.url);
});
afterAll(async () => {
  await service?.stop();
  await proxy?.close();
  await database?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('service through a PostgreSQL restart', () => {
  it('stays up, becomes ready again, and turns tweets stored after the restart into cases', async () => {
    const cfg = path.join(dir, 'replywatch.config.yaml');
    fs.writeFileSync(cfg, ['teams:', '  - { name: care, calendar: always }', 'handles:', `  - { handle: ${HANDLE}, team: care }`, ''].join('\n'));
    const config = loadConfig({
      DATABASE_URL: proxy.url,
      REPLYWATCH_CONFIG: cfg,
      REPLYWATCH_DATA_DIR: dir,
      REPLAY_ENABLED: '0',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    service = await startService(['analyzer', 'notifier', 'api'], { config, log: createLogger('silent') });
    const base = `http://127.0.0.1:${service.port}`;
    const ready = async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined);
    await until('ready', ready);

    // Tweets are stored over a connection of their own, straight to the database (as a poller process would).
    const { db } = createDb(database.url, 2);
    try {
      const handleId = (await db.selectFrom('handles').select('id').where('handle', '=', HANDLE).executeTakeFirstOrThrow()).id;
      const store = (id: string, customer: string) =>
        ingestBatch(db, {
          source: 'twcs',
          records: [{ tweet: { id, authorId: customer, text: `@${HANDLE} my order never arrived`, createdAt: new Date(), mentions: [HANDLE], isBrand: false } }],
          links: [{ handleId, tweetId: id, role: 'customer', createdAt: new Date() }],
        });
      const caseOf = (customer: string) => async () =>
        (await db.selectFrom('cases').select('id').where('handle_id', '=', handleId).where('customer_id', '=', customer).executeTakeFirst()) ?? undefined;

      await store('5001', '901');
      await until('the first case', caseOf('901'));

      // The restart: the service's connections drop and the server refuses new ones for a second.
      await proxy.down();
      await new Promise((r) => setTimeout(r, 1000));
      await store('5002', '902');
      await proxy.up();

      await until('ready again', ready);
      await until('the case of a tweet stored while the database was away from the service', caseOf('902'));
      await store('5003', '903');
      await until('the case of a tweet stored after the restart', caseOf('903'));
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      await db.destroy();
    }
  }, 90_000);
});
