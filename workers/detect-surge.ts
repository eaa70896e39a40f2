// Owns the `detect_surge` job: after new mentions, compares the handle's last minutes with its usual level for this hour of the week and forecasts breaches.
import type { Task } from 'graphile-worker';
import type { Deps } from '../src/deps.ts';
import type { Db } from '../src/db/connect.ts';
import { recentActivity, usualPerHour, waitingCases } from '../src/db/activity.repository.ts';
import { loadHandleContext } from '../src/db/sla-context.repository.ts';
import { raiseAlert } from '../src/alerts/raise.ts';
import { surgeAlert } from '../src/domain/alert-rules.ts';
import { handleLevelPolicy } from '../src/domain/policy.ts';

export const DETECT_SURGE = 'detect_surge';
export const SURGE_WINDOW_MINUTES = 10;

export async function detectSurge(db: Db, handleId: number, now: Date): Promise<{ raised: boolean; mentions: number; baselinePerHour: number }> {
  return db.transaction().execute(async (trx) => {
    const ctx = await loadHandleContext(trx, handleId);
    if (!ctx) return { raised: false, mentions: 0, baselinePerHour: 0 };
    const { mentions, repliesLastHour } = await recentActivity(trx, handleId, now, SURGE_WINDOW_MINUTES);
    const baselinePerHour = await usualPerHour(trx, handleId, now);
    const waiting = await waitingCases(trx, handleId, new Date(now.getTime() + 3_600_000));
    // The handle's policy (its team's override first), as for handle_silent: a surge concerns the handle, not a customer tier.
    const policy = handleLevelPolicy(ctx.scope);
    const draft = surgeAlert({
      handleId,
      handle: ctx.handle,
      now,
      windowMinutes: SURGE_WINDOW_MINUTES,
      mentions,
      baselinePerHour,
      openCases: waiting.count,
      waitingDue: waiting.dueSoon,
      repliesLastHour,
      minMentions: policy?.surgeMinMentions,
      factor: policy?.surgeFactor,
      policy: policy?.name,
    });
    if (!draft) return { raised: false, mentions, baselinePerHour };
    const r = await raiseAlert(trx, { ...draft, handleId, teamId: ctx.teamId, raisedAt: now }, { now });
    return { raised: r.created, mentions, baselinePerHour };
  });
}

export function detectSurgeTask(deps: Deps): Task {
  return async (payload) => {
    const handleId = Number((payload as { handleId?: unknown }).handleId);
    if (!Number.isInteger(handleId)) throw new Error(`detect_surge: payload needs a numeric handleId, got ${JSON.stringify(payload)}`);
    await detectSurge(deps.db, handleId, deps.clock());
  };
}
