// Owns the `close_quiet_cases` cron job: an open case nobody waits in closes after the policy's quiet period even when no
// new tweet comes to close it, so "open cases" in the API and dashboard mean what `replywatch analyze` means by them.
import type { Task } from 'graphile-worker';
import type { Deps } from '../src/deps.ts';
import { clientTransaction, type Db } from '../src/db/connect.ts';
import { activeHandles } from '../src/db/activity.repository.ts';
import { caseRowFromState, lockHandleForAnalysis, quietCandidates, upsertCases } from '../src/db/case.repository.ts';
import { loadHandleContext, loadPolicies } from '../src/db/sla-context.repository.ts';
import { compileCalendar } from '../src/domain/calendar.ts';
import { caseFlags } from '../src/domain/case-summary.ts';
import { closeIfQuiet, type CaseState } from '../src/domain/cases.ts';
import { ALWAYS_OPEN } from '../src/domain/deadlines.ts';
import { handleLevelPolicy } from '../src/domain/policy.ts';

export const CLOSE_QUIET = 'close_quiet_cases';
const CHUNK = 2000;

/** Closes the quiet cases of every active handle as of `now`; returns how many it closed. */
export async function closeQuietCases(db: Db, now: Date): Promise<number> {
  const policies = await loadPolicies(db);
  if (!policies.size) return 0;
  // Candidates by the shortest quiet period of any policy; each case is then judged on its own policy.
  const shortest = Math.min(...[...policies.values()].map((p) => p.quietCloseHours));
  const before = new Date(now.getTime() - shortest * 3_600_000);
  let closed = 0;
  for (const h of await activeHandles(db)) {
    const ctx = await loadHandleContext(db, h.id, policies);
    if (!ctx) continue;
    const calendar = compileCalendar(ctx.calendar ?? ALWAYS_OPEN);
    for (let after = '0'; ; ) {
      const n = await clientTransaction(db, async (trx, client) => {
        // The analyzer's lock: a batch of this handle's tweets and this sweep never interleave.
        await lockHandleForAnalysis(trx, h.id);
        const rows = await quietCandidates(trx, h.id, before, after, CHUNK);
        const updates = [];
        for (const r of rows) {
          const state = r.summary as unknown as CaseState;
          const policy = policies.get(r.policy_name ?? '') ?? handleLevelPolicy(ctx.scope);
          if (!policy || !closeIfQuiet(state, now.getTime(), policy)) continue;
          const setup = { handle: ctx.handle, policy, calendar };
          updates.push(caseRowFromState(h.id, state, { teamId: r.team_id ?? ctx.teamId, policyName: policy.name, tier: r.tier, flags: caseFlags(state, setup, now.getTime()), nextDueAt: null }, r.customer_username));
        }
        if (updates.length) await upsertCases(trx, client, updates, now);
        closed += updates.length;
        if (rows.length) after = rows[rows.length - 1]!.id;
        return rows.length;
      });
      if (n < CHUNK) break;
    }
  }
  return closed;
}

export function closeQuietTask(deps: Deps): Task {
  return async (_payload, helpers) => {
    const n = await closeQuietCases(deps.db, deps.clock());
    if (n) helpers.logger.info(`closed ${n} quiet cases`);
  };
}
