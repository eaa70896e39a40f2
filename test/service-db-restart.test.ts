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
import { eventually } from './alerts/harness.ts';

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
    // fetch fails outright while the server is away.
    const ready = async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200;
    await eventually(ready, 40_000, 'ready');

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
        db.selectFrom('cases').select('id').where('handle_id', '=', handleId).where('customer_id', '=', customer).executeTakeFirst();

      await store('5001', '901');
      await eventually(caseOf('901'), 40_000, 'the first case');

      // The restart: the service's connections drop and the server refuses new ones for a second.
      await proxy.down();
      await new Promise((r) => setTimeout(r, 1000));
      await store('5002', '902');
      await proxy.up();

      await eventually(ready, 40_000, 'ready again');
      await eventually(caseOf('902'), 40_000, 'the case of a tweet stored while the database was away from the service');
      await store('5003', '903');
      await eventually(caseOf('903'), 40_000, 'the case of a tweet stored after the restart');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      await db.destroy();
    }
  }, 90_000);
});
