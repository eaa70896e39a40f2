import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier, eventually, type Notifier } from './harness.ts';
import { startReceiver, type FakeReceiver } from '../fakes/receiver.ts';
import { raiseAlert } from '../../src/alerts/raise.ts';
import { isPrivateAddress } from '../../src/alerts/address-guard.ts';
import { postJson } from '../../src/alerts/http-post.ts';
import { listDeadDeliveries } from '../../src/db/delivery.repository.ts';

describe('address guard', () => {
  it('refuses loopback, private, link-local, metadata, CGNAT, ULA and unspecified addresses, and allows public ones', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:7f00:1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('checks names after DNS resolution (localhost resolves to loopback) and IP literals directly', async () => {
    await expect(postJson('http://localhost:9/x', '{}', {}, { allowPrivateNetworks: false, timeoutMs: 1000 })).rejects.toThrow(/refused to deliver to localhost: it resolves to (127\.0\.0\.1|::1)/);
    await expect(postJson('http://169.254.169.254/latest/meta-data', '{}', {}, { allowPrivateNetworks: false, timeoutMs: 1000 })).rejects.toThrow(/ALLOW_PRIVATE_NETWORKS/);
    await expect(postJson('http://[::1]:9/x', '{}', {}, { allowPrivateNetworks: false, timeoutMs: 1000 })).rejects.toThrow(/refused/);
  });
});

describe('delivery safety', () => {
  let recv: FakeReceiver;
  let n: Notifier;
  beforeAll(async () => {
    recv = await startReceiver();
    n = await createNotifier(
      { ALLOW_PRIVATE_NETWORKS: '0' },
      {
        teams: [{ name: 'care' }],
        channels: [
          { name: 'internal', type: 'webhook', url: `http://localhost:${new URL(recv.url).port}/hook?token=s3cr3t-in-url`, secret: 'hook-secret-0123456789' },
        ],
        routes: [{ name: 'all', channels: ['internal'] }],
      },
    );
    await n.startWorkers();
  });
  afterAll(async () => {
    await n?.close();
    await recv?.stop();
  });

  it('refuses a webhook that resolves to a private address with a clear error, and never connects', async () => {
    const { id } = await n.t.db.transaction().execute((trx) => raiseAlert(trx, { kind: 'outage', severity: 'critical', dedupKey: 'private-1', title: 'Outage', reasons: [] }, { now: new Date() }));
    const dead = (await eventually(async () => (await listDeadDeliveries(n.t.db)).find((d) => d.alert_id === id), 20_000, 'dead delivery'))!;
    expect(dead.last_error).toMatch(/refused to deliver to localhost: it resolves to .*set ALLOW_PRIVATE_NETWORKS=1/);
    expect(dead.attempts).toBe(1);
    expect(recv.requests).toHaveLength(0);
    const logged = JSON.stringify(n.logs);
    expect(logged).toContain('delivery gave up');
    expect(logged).not.toContain('s3cr3t-in-url');
    expect(logged).not.toContain('hook-secret-0123456789');
  });
});

describe('transport limits', () => {
  let recv: FakeReceiver;
  beforeAll(async () => {
    recv = await startReceiver();
  });
  afterAll(async () => {
    await recv?.stop();
  });

  it('does not follow redirects', async () => {
    recv.requests.length = 0;
    recv.respond = () => ({ status: 302, headers: { location: `${recv.url}/elsewhere` } });
    const res = await postJson(`${recv.url}/start`, '{}', {}, { allowPrivateNetworks: true, timeoutMs: 2000 });
    expect(res.status).toBe(302);
    expect(recv.requests.map((r) => r.path)).toEqual(['/start']);
  });

  it('reads at most the capped number of response bytes', async () => {
    recv.respond = () => ({ status: 500, body: 'x'.repeat(1_000_000) });
    const res = await postJson(`${recv.url}/big`, '{}', {}, { allowPrivateNetworks: true, timeoutMs: 5000, maxBodyBytes: 1024 });
    expect(res.status).toBe(500);
    expect(res.body.length).toBe(1024);
  });

  it('times out a receiver that never answers', async () => {
    recv.respond = () => 'hang';
    await expect(postJson(`${recv.url}/slow`, '{}', {}, { allowPrivateNetworks: true, timeoutMs: 300 })).rejects.toThrow(/no answer from 127\.0\.0\.1:\d+ within 300 ms/);
  });
});
