import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseFileConfig } from '../src/config.ts';

function tmpConfig(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-config-'));
  const file = path.join(dir, 'replywatch.config.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

describe('loadConfig', () => {
  it('gives working defaults with no file and no env', () => {
    const config = loadConfig({}, fs.mkdtempSync(path.join(os.tmpdir(), 'rw-empty-')));
    expect(config.port).toBe(3000);
    expect(config.replay.enabled).toBe(true);
    expect(config.file.policies.map((p) => p.name)).toContain('default');
    expect(config.file.channels.map((c) => c.name)).toContain('console');
    expect(Object.isFrozen(config.file)).toBe(true);
  });

  it('names the field of a bad environment value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/environment: PORT:/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/environment: METRICS_TOKEN: expected a token of at least 16 characters/);
  });

  it('names the path of a bad field in the config file', () => {
    const file = tmpConfig(`policies:\n  - name: fast\n    firstResponseMinutes: -5\n`);
    expect(() => loadConfig({ REPLYWATCH_CONFIG: file })).toThrow(/policies\.0\.firstResponseMinutes/);
  });

  it('rejects unknown references and time zones with their path', () => {
    expect(() => parseFileConfig({ handles: [{ handle: 'AcmeHelp', team: 'nobody' }] }, {})).toThrow(/handles\.0\.team: unknown team "nobody"/);
    expect(() => parseFileConfig({ calendars: [{ name: 'x', timezone: 'Mars/Olympus' }] }, {})).toThrow(/calendars\.0\.timezone/);
  });

  it('expands ${ENV} references so secrets stay out of the file', () => {
    const file = parseFileConfig({ channels: [{ name: 'hook', type: 'webhook', url: '${HOOK_URL}', secret: '${HOOK_SECRET}' }] }, { HOOK_URL: 'https://example.com/hook', HOOK_SECRET: 'x'.repeat(20) });
    const hook = file.channels.find((c) => c.name === 'hook');
    expect(hook).toMatchObject({ type: 'webhook', url: 'https://example.com/hook' });
    expect(() => parseFileConfig({ channels: [{ name: 'hook', type: 'slack', url: '${MISSING}' }] }, {})).toThrow(ConfigError);
  });

  it('refuses plain-http X base URLs unless explicitly allowed', () => {
    expect(() => loadConfig({ X_API_BASE_URL: 'http://127.0.0.1:9999' })).toThrow(/X_API_BASE_URL/);
    expect(loadConfig({ X_API_BASE_URL: 'http://127.0.0.1:9999', X_API_ALLOW_HTTP: '1' }).x.allowHttp).toBe(true);
  });
});

describe('replywatch.config.example.yaml', () => {
  it('is a valid config when its secrets are set', () => {
    const file = path.resolve(import.meta.dirname, '..', 'replywatch.config.example.yaml');
    const config = loadConfig({
      REPLYWATCH_CONFIG: file,
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X',
      LEAD_WEBHOOK_URL: 'https://example.com/hook',
      LEAD_WEBHOOK_SECRET: 'a-secret-of-sixteen-plus',
    });
    expect(config.file.handles[0]).toMatchObject({ handle: 'AcmeHelp', team: 'care', vipPolicy: 'vip' });
    expect(config.file.calendars.find((c) => c.name === 'london-care')?.hours.sat).toEqual(['09:00-13:00', '14:00-18:00']);
  });
});

describe('zero-config demo', () => {
  it('divides the default policy clocks by the replay speed, and only then', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-demo-'));
    const demo = loadConfig({ REPLAY_SPEED: '600' }, cwd);
    expect(demo.demoTimeScale).toBe(600);
    expect(demo.file.policies.find((p) => p.name === 'default')?.firstResponseMinutes).toBeCloseTo(0.1);
    const real = loadConfig({ X_BEARER_TOKEN: 'token' }, cwd);
    expect(real.demoTimeScale).toBe(1);
    expect(real.file.policies.find((p) => p.name === 'default')?.firstResponseMinutes).toBe(60);
  });
});
