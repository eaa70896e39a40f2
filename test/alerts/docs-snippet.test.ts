import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier, type Notifier } from './harness.ts';
import { startReceiver, type FakeReceiver } from '../fakes/receiver.ts';
import { raiseAlert } from '../../src/alerts/raise.ts';
import { ROOT } from '../helpers/cli.ts';

const SECRET = 'docs-secret-0123456789abcdef';
let recv: FakeReceiver;
let n: Notifier;
let verifyReplywatchSignature: (secret: string, header: string, body: string) => boolean;
let dir: string;

beforeAll(async () => {
  // Extract the snippet exactly as docs/webhooks.md shows it and load it as a module.
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'webhooks.md'), 'utf8');
  const m = doc.match(/<!-- verify-snippet:start -->\s*```js\n([\s\S]*?)```\s*<!-- verify-snippet:end -->/);
  expect(m).not.toBeNull();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-snippet-'));
  const file = path.join(dir, 'verify.mjs');
  fs.writeFileSync(file, m![1]);
  ({ verifyReplywatchSignature } = await import(pathToFileURL(file).href));

  recv = await startReceiver();
  n = await createNotifier({}, { channels: [{ name: 'hook', type: 'webhook', url: `${recv.url}/in`, secret: SECRET }], routes: [{ name: 'all', channels: ['hook'] }] });
  await n.startWorkers();
});

afterAll(async () => {
  await n?.close();
  await recv?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the documented verification snippet', () => {
  it('accepts a real delivery and rejects a tampered body, a wrong secret and an old timestamp', async () => {
    await n.t.db.transaction().execute((trx) => raiseAlert(trx, { kind: 'outage', severity: 'critical', dedupKey: 'doc:1', title: 'Signed', reasons: ['r'] }, { now: new Date() }));
    await recv.waitFor((r) => r.length >= 1);
    const { headers, body } = recv.requests[0];
    const sig = headers['x-replywatch-signature'] as string;
    expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyReplywatchSignature(SECRET, sig, body)).toBe(true);
    expect(verifyReplywatchSignature(SECRET, sig, body.replace('Signed', 'Forged'))).toBe(false);
    expect(verifyReplywatchSignature('wrong-secret-0123456789', sig, body)).toBe(false);
    const old = sig.replace(/t=\d+/, `t=${Math.floor(Date.now() / 1000) - 3600}`);
    expect(verifyReplywatchSignature(SECRET, old, body)).toBe(false);
  });
});
