// Effective policy: handle policy, team override, VIP list and follower tier.
import { describe, expect, it } from 'vitest';
import { effectivePolicy, policyFromSettings, vipMatch } from '../../src/domain/policy.ts';

const policies = new Map(
  [policyFromSettings('default', {}), policyFromSettings('team', { firstResponseMinutes: 30 }), policyFromSettings('vip', { firstResponseMinutes: 15, warnRatios: [0.9, 0.5, 0.9] })].map((p) => [p.name, p]),
);

describe('effectivePolicy', () => {
  it('uses the handle policy, then the team override, then the VIP policy', () => {
    const scope = { handlePolicy: 'default', vip: ['42', '@BigCo', 'followers>=10000'], vipPolicy: 'vip', policies };
    expect(effectivePolicy(scope, { id: '7' }).policy.name).toBe('default');
    expect(effectivePolicy({ ...scope, teamPolicy: 'team' }, { id: '7' }).policy.firstResponseMinutes).toBe(30);
    const vip = effectivePolicy({ ...scope, teamPolicy: 'team' }, { id: '42' });
    expect(vip).toMatchObject({ tier: 'vip', policy: { name: 'vip', firstResponseMinutes: 15, warnRatios: [0.5, 0.9] } });
    expect(effectivePolicy(scope, { id: '8', username: 'bigco' }).tier).toBe('vip');
    expect(effectivePolicy(scope, { id: '9', followers: 25_000 }).reasons[0]).toMatch(/25000 followers/);
    expect(effectivePolicy(scope, { id: '9', followers: 9_999 }).tier).toBe('standard');
  });

  it('ignores the VIP list when no VIP policy is set, and names unknown policies', () => {
    expect(effectivePolicy({ handlePolicy: 'default', vip: ['42'], policies }, { id: '42' }).tier).toBe('standard');
    expect(() => effectivePolicy({ handlePolicy: 'nope', vip: [], policies }, { id: '1' })).toThrow(/unknown policy "nope"/);
    expect(vipMatch(['followers>=5'], { id: '1' })).toBeUndefined();
  });
});
