import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

function run(input: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'classify', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('replywatch classify', () => {
  it('classifies brand and customer lines from stdin to stdout', async () => {
    const input = [
      { id: '1', text: '@1 Please DM us your order number. ^KK', role: 'brand' },
      { id: 2, text: '@AmazonHelp still waiting for my refund, I will cancel my prime membership', role: 'customer' },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n');
    const { code, stdout, stderr } = await run(`${input}\n`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out[0]).toMatchObject({ id: '1', kind: 'dm_request', complaint: null, flags: ['signed'] });
    expect(out[0].reasons).toContain("dm_request: 'DM'");
    expect(out[1].id).toBe(2);
    expect(out[1].kind).toBeNull();
    expect(out[1].complaint).toBeGreaterThan(0.5);
    expect(out[1].flags).toEqual(expect.arrayContaining(['complaint', 'nudge', 'churn_threat']));
  });

  it('--no-deflection-model: the rules\' kind alone, as a policy with deflectionModel: false', async () => {
    const line = `${JSON.stringify({ id: 'm', role: 'brand', text: "@773456 Let's check out the next article to troubleshoot Wired or Wireless Network Connection: https://t.co/Vp85fRXkHX" })}\n`;
    const withModel = JSON.parse((await run(line)).stdout);
    const rulesOnly = JSON.parse((await run(line, ['--no-deflection-model'])).stdout);
    expect(withModel.kind).toBe('link_only');
    expect(withModel.reasons.join(' | ')).toContain('the deflection model scores it');
    expect(rulesOnly.kind).not.toBe('link_only');
    expect(rulesOnly.reasons.join(' | ')).not.toContain('deflection model');
  });

  it('reports bad lines with their number, goes on, and exits non-zero', async () => {
    const input = ['not json', '{"id":"a","text":"@1 Thanks! ^CL","role":"brand"}', '{"id":"b","text":"x","role":"bot"}', '{"text":"no id","role":"customer"}'].join('\n');
    const { code, stdout, stderr } = await run(`${input}\n`);
    expect(code).toBe(1);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout).id).toBe('a');
    expect(stderr).toContain('line 1: not valid JSON');
    expect(stderr).toContain('line 3: "role" must be "brand" or "customer"');
    expect(stderr).toContain('line 4: "id" must be a string or a number');
  });
});
