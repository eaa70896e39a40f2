import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { spawnCli } from '../helpers/cli.ts';
import { startReceiver, type FakeReceiver } from '../fakes/receiver.ts';
import { raiseAlert } from '../../src/alerts/raise.ts';
import { notifierDb } from '../../src/db/notifier.schema.ts';
import { eventually } from './harness.ts';
import { syncConfig } from '../../src/db/config.repository.ts';
import { parseFileConfig } from '../../src/config.ts';

let t: TestDb;
let recv: FakeReceiver;
let dir: string;
const children: ChildProcess[] = [];
let output = '';

beforeAll(async () => {
  t = await createTestDb();
  recv = await startReceiver();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-crash-'));
  const file = {
    channels: [{ name: 'hook', type: 'webhook', url: `${recv.url}/hook`, secret: 'crash-secret-0123456789' }],
    routes: [{ name: 'all', channels: ['hook'] }],
  };
  fs.writeFileSync(path.join(dir, 'replywatch.config.yaml'), YAML.stringify(file));
  // Seeded here too, so the alert raised before the first notifier starts finds its route.
  await syncConfig(t.db, parseFileConfig(file, {}));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await recv?.stop();
  await t?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

function startNotifierProcess(): ChildProcess {
  const child = spawnCli(['worker', '--only', 'notifier'], {
    env: {
      DATABASE_URL: t.url,
      REPLYWATCH_CONFIG: path.join(dir, 'replywatch.config.yaml'),
      ALLOW_PRIVATE_NETWORKS: '1',
      DELIVERY_TIMEOUT_MS: '1000',
      DELIVERY_LEASE_MS: '1500',
      DELIVERY_CHANNEL_INTERVAL_MS: '0',
      REPLAY_ENABLED: '0',
      LOG_LEVEL: 'warn',
    },
  });
  children.push(child);
  child.stderr!.on('data', (d) => (output += d));
  child.stdout!.on('data', (d) => (output += d));
  return child;
}

const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

describe('a notifier killed mid-delivery', () => {
  it('re-sends with the same delivery id after restart and marks the delivery sent exactly once', async () => {
    // The first request hangs (the receiver got it, the notifier never hears back); later ones succeed.
    recv.respond = (_r, i) => (i === 0 ? 'hang' : { status: 200, body: 'ok' });
    const { id } = await t.db.transaction().execute((trx) => raiseAlert(trx, { kind: 'outage', severity: 'critical', dedupKey: 'crash:1', title: 'Crash test', reasons: [] }, { now: new Date() }));
    const row = await t.db.selectFrom('deliveries').select(['id', 'delivery_id']).where('alert_id', '=', id).executeTakeFirstOrThrow();

    const first = startNotifierProcess();
    await recv.waitFor((r) => r.length >= 1, 30_000, 'first send').catch((err) => {
      throw new Error(`${err.message}; notifier output:\n${output}`);
    });
    first.kill('SIGKILL');
    await exited(first);
    const during = await t.db.selectFrom('deliveries').select(['state', 'attempts']).where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(during).toEqual({ state: 'sending', attempts: 1 });

    const second = startNotifierProcess();
    await recv.waitFor((r) => r.length >= 2, 30_000, 'send after restart');
    await eventually(async () => (await t.db.selectFrom('deliveries').select('state').where('id', '=', row.id).executeTakeFirstOrThrow()).state === 'sent', 20_000, 'marked sent');
    expect(recv.requests.map((r) => r.deliveryId)).toEqual([row.delivery_id, row.delivery_id]);
    expect(recv.uniqueDeliveryIds()).toEqual(new Set([row.delivery_id]));

    const attempts = await notifierDb(t.db).selectFrom('delivery_attempts').select(['attempt', 'outcome']).where('delivery_id', '=', row.delivery_id).execute();
    expect(attempts).toEqual([{ attempt: 2, outcome: 'sent' }]);
    const final = await t.db.selectFrom('deliveries').select(['state', 'attempts']).where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(final).toEqual({ state: 'sent', attempts: 2 });

    second.kill('SIGTERM');
    await exited(second);
    // Nothing more was sent after it was marked.
    expect(recv.requests).toHaveLength(2);
  });
});
