import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runCli } from '../helpers/cli.ts';
import { startReceiver, type FakeReceiver } from '../fakes/receiver.ts';
import { verify } from '../../src/alerts/signature.ts';

const SECRET = 'cli-secret-0123456789abcdef';
let recv: FakeReceiver;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  recv = await startReceiver();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-cli-'));
  const file = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    file,
    YAML.stringify({
      teams: [{ name: 'care' }],
      handles: [{ handle: 'AcmeHelp', team: 'care' }],
      channels: [
        { name: 'pager', type: 'webhook', url: `${recv.url}/pager?key=url-secret-value`, secret: SECRET },
        { name: 'care-slack', type: 'slack', url: `${recv.url}/services/T1/B1/slack-secret-value` },
      ],
      routes: [{ name: 'care', match: { teams: ['care'] }, channels: ['care-slack'], escalate: { afterMinutes: 10, channels: ['pager'] } }],
    }),
  );
  env = { REPLYWATCH_CONFIG: file, ALLOW_PRIVATE_NETWORKS: '1', LOG_LEVEL: 'warn' };
});

afterAll(async () => {
  await recv?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('replywatch alerts test', () => {
  it('dry-runs by default: shows channels and messages, sends nothing, prints no URL', async () => {
    const r = await runCli(['alerts', 'test', '--route', 'care'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`channel care-slack (slack to ${new URL(recv.url).host}): would send`);
    expect(r.stdout).toContain('escalation channel pager (webhook');
    expect(r.stdout).toContain('@AcmeHelp');
    expect(r.stdout).toContain('dry run: nothing was sent');
    expect(r.stdout + r.stderr).not.toContain('secret-value');
    expect(recv.requests).toHaveLength(0);
  });

  it('sends a sample alert through every channel of the route with --send', async () => {
    const r = await runCli(['alerts', 'test', '--route', 'care', '--send'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/care-slack .*: sent \(HTTP 200\)/);
    expect(recv.requests.map((q) => q.path.split('?')[0]).sort()).toEqual(['/pager', '/services/T1/B1/slack-secret-value']);
    const hook = recv.requests.find((q) => q.path.startsWith('/pager'))!;
    expect(verify(SECRET, hook.headers['x-replywatch-signature'] as string, hook.body, new Date())).toBe(true);
    expect(hook.json.alert.title).toContain('Test alert');
  });

  it('names the known routes for an unknown one', async () => {
    const r = await runCli(['alerts', 'test', '--route', 'nope'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no route named "nope"; configured routes: care');
  });
});
