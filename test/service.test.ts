// The two-command promise: `replywatch start` on the embedded default comes up, answers, stops cleanly and reuses its data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded.ts';
import { spawn } from 'node:child_process';
import { ROOT, runCli, spawnCli, waitForOutput } from './helpers/cli.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-service-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function waitForStatus(url: string, status: number, timeoutMs = 30_000): Promise<Response> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === status) return res;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer ${status} in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startOnce(port: number) {
  const child = spawnCli(['start'], { env: { REPLYWATCH_DATA_DIR: dataDir, PORT: String(port), REPLAY_ENABLED: '0', DATABASE_URL: undefined } });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  await waitForStatus(`http://127.0.0.1:${port}/healthz`, 200);
  const ready = await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200);
  expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: true, migrated: true } });
  child.kill('SIGINT');
  const code = await exited;
  return { code, log };
}

describe('replywatch start (embedded PostgreSQL)', () => {
  it('comes up, is ready, stops cleanly on SIGINT, and reuses its data on the next start', async () => {
    const port = await freePort();
    const first = await startOnce(port);
    expect(first.code).toBe(0);
    expect(first.log).toMatch(/"fresh":true/);
    expect(first.log).toMatch(/embedded PostgreSQL stopped/);
    // A clean stop leaves no running server behind.
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const second = await startOnce(port);
    expect(second.code).toBe(0);
    expect(second.log).toMatch(/"fresh":false/);
    expect(second.log).not.toMatch(/migrations applied/);
  }, 90_000);

  it('stops cleanly when the signal comes through `npm start`\'s tsx wrapper, to it alone or to the whole process group', async () => {
    // What `npm start` runs: the tsx CLI, which starts node with its loader as a child and relays signals to it.
    const viaTsx = async (send: (wrapper: number) => void) => {
      const port = await freePort();
      const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'src', 'main.ts'), 'start'], {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'info', REPLYWATCH_DATA_DIR: dataDir, PORT: String(port), REPLAY_ENABLED: '0', DATABASE_URL: undefined },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, as a terminal gives a foreground job.
        detached: true,
      });
      let log = '';
      child.stdout!.on('data', (d) => (log += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200);
      send(child.pid!);
      return { code: await exited, log };
    };
    // A supervisor signalling the process it started: tsx passes SIGTERM on and must not kill the service meanwhile.
    const alone = await viaTsx((pid) => process.kill(pid, 'SIGTERM'));
    expect(alone.code).toBe(0);
    expect(alone.log).toMatch(/embedded PostgreSQL stopped/);
    // Ctrl-C: every process of the group gets SIGINT and tsx passes it on too; the repeat must not cut the shutdown short,
    // and the embedded PostgreSQL (in a session of its own) must not stop under the service while it drains.
    const group = await viaTsx((pid) => process.kill(-pid, 'SIGINT'));
    expect(group.code).toBe(0);
    expect(group.log).toMatch(/embedded PostgreSQL stopped/);
    expect(group.log).not.toMatch(/signal received again/);
    expect(group.log.split('\n').filter((l) => /"level":(?:40|50|60)/.test(l))).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 90_000);

  it('stops at start with a one-line error naming the bad field', async () => {
    const res = await runCli(['start'], { env: { PORT: 'not-a-port', REPLYWATCH_DATA_DIR: dataDir } });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('environment: PORT:');
  });

  it('the same for a bad value in the config file', async () => {
    const file = path.join(dataDir, 'bad.yaml');
    fs.writeFileSync(file, 'teams:\n  - name: care\n    calendar: nowhere\n');
    const res = await runCli(['migrate'], { env: { REPLYWATCH_CONFIG: file, REPLYWATCH_DATA_DIR: dataDir } });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/teams\.0\.calendar: unknown calendar "nowhere"/);
  });
});
