// The first-start admin token: created once when no token exists, saved privately, logged by path only, and usable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from './helpers.ts';
import { ensureBootstrapToken } from '../../src/api/bootstrap-token.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bootstrap-'));
let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness({ REPLYWATCH_DATA_DIR: dataDir });
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('ensureBootstrapToken', () => {
  it('creates one admin token on a database without tokens, in a 0600 file, and logs only the path', async () => {
    const [first, second] = await Promise.all([ensureBootstrapToken(h.deps), ensureBootstrapToken(h.deps)]);
    const file = path.join(dataDir, 'admin-token');
    expect([first, second].filter(Boolean)).toEqual([file]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const token = fs.readFileSync(file, 'utf8').trim();
    expect(token).toMatch(/^rw_[A-Za-z0-9_-]{43}$/);
    const rows = await h.t.db.selectFrom('api_tokens').select(['scope', 'team_id']).execute();
    expect(rows).toEqual([{ scope: 'admin', team_id: null }]);
    expect((await h.get('/v1/admin/teams', token)).status).toBe(200);
    expect(JSON.stringify(h.logLines)).toContain(file);
    expect(JSON.stringify(h.logLines)).not.toContain(token);
    expect(await ensureBootstrapToken(h.deps)).toBeUndefined();
  });
});
