// Owns choosing the SLA policy that applies to one customer's case: handle policy, team override, customer-tier override.
import type { Policy } from './types.ts';

/** Defaults of a policy, the same as src/config.ts `policySchema` (domain code does not import config). */
export const POLICY_DEFAULTS: Omit<Policy, 'name'> = {
  firstResponseMinutes: 60,
  nextResponseMinutes: 60,
  clock: 'business',
  warnRatios: [0.8],
  dmCountsAsDeflection: false,
  deflectionModel: true,
  countAutomatedReplies: false,
  automatedPatterns: [],
  unansweredHorizonMinutes: 240,
  quietCloseHours: 72,
  silentAfterMinutes: 45,
  surgeMinMentions: 20,
  surgeFactor: 3,
};

/** Builds a Policy from a stored `policies.settings` object, filling what older rows leave out. */
export function policyFromSettings(name: string, settings: Record<string, unknown>): Policy {
  const s = settings as Partial<Policy>;
  const warn = Array.isArray(s.warnRatios) ? s.warnRatios.filter((r) => typeof r === 'number' && r > 0 && r < 1) : POLICY_DEFAULTS.warnRatios;
  return {
    ...POLICY_DEFAULTS,
    ...s,
    name,
    // Sorted and unique so warning levels (and their job keys) are stable whatever order the config lists them in.
    warnRatios: [...new Set(warn)].sort((a, b) => a - b),
  };
}

/** What the resolver needs to know about the handle, its team and the policies by name. */
export interface PolicyScope {
  handlePolicy: string;
  teamPolicy?: string | null;
  /** Entries of `handles.vip`: customer ids, usernames (with or without "@"), or a tier rule `followers>=N`. */
  vip: string[];
  vipPolicy?: string | null;
  policies: ReadonlyMap<string, Policy>;
}

/** The policy of the handle as a whole (its team's override first): for rules about the handle, not one customer. */
export function handleLevelPolicy(scope: PolicyScope): Policy | undefined {
  return scope.policies.get(scope.teamPolicy ?? scope.handlePolicy);
}

export interface CustomerInfo {
  id: string;
  username?: string | null;
  /** From the tweet's author `public_metrics.followers_count` when the source provides it (X API v2, not TWCS). */
  followers?: number | null;
}

export interface EffectivePolicy {
  policy: Policy;
  /** 'vip' when a customer-tier rule picked the policy, else 'standard'. */
  tier: 'vip' | 'standard';
  /** Why this policy applies, e.g. ["team support overrides handle policy default"]. */
  reasons: string[];
}

const FOLLOWER_RULE = /^followers\s*>=\s*(\d+)$/i;

/** Whether the customer matches one of the handle's VIP entries; returns the matching entry's reason. */
export function vipMatch(vip: readonly string[], customer: CustomerInfo): string | undefined {
  const username = customer.username?.replace(/^@/, '').toLowerCase();
  for (const entry of vip) {
    const rule = FOLLOWER_RULE.exec(entry.trim());
    if (rule) {
      const min = Number(rule[1]);
      if (customer.followers != null && customer.followers >= min) return `customer has ${customer.followers} followers (VIP from ${min})`;
      continue;
    }
    const e = entry.trim().replace(/^@/, '').toLowerCase();
    if (e === customer.id.toLowerCase()) return `customer ${customer.id} is on the VIP list`;
    if (username && e === username) return `customer @${username} is on the VIP list`;
  }
  return undefined;
}

/** The policy for a case: a VIP customer's policy beats the team's override, which beats the handle's policy. */
export function effectivePolicy(scope: PolicyScope, customer: CustomerInfo): EffectivePolicy {
  const get = (name: string) => {
    const p = scope.policies.get(name);
    if (!p) throw new Error(`unknown policy "${name}"`);
    return p;
  };
  if (scope.vipPolicy) {
    const why = vipMatch(scope.vip, customer);
    if (why) return { policy: get(scope.vipPolicy), tier: 'vip', reasons: [why, `VIP policy ${scope.vipPolicy}`] };
  }
  if (scope.teamPolicy) {
    return { policy: get(scope.teamPolicy), tier: 'standard', reasons: [`team policy ${scope.teamPolicy} overrides handle policy ${scope.handlePolicy}`] };
  }
  return { policy: get(scope.handlePolicy), tier: 'standard', reasons: [`handle policy ${scope.handlePolicy}`] };
}

/** Reply kinds the policy counts as deflection. */
export function deflectingKinds(policy: Policy, base: readonly string[]): Set<string> {
  const kinds = new Set(base);
  if (policy.dmCountsAsDeflection) kinds.add('dm_request');
  return kinds;
}
