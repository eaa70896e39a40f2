// Owns the `check_silence` cron job: during stated hours, a handle that posted nothing for the policy's minutes while cases wait raises `handle_silent`.
import type { Task } from 'graphile-worker';
import type { Deps } from '../src/deps.ts';
import type { Db } from '../src/db/connect.ts';
import { activeHandles, waitingCases } from '../src/db/activity.repository.ts';
import { loadHandleContext, loadPolicies } from '../src/db/sla-context.repository.ts';
import { raiseAlert } from '../src/alerts/raise.ts';
import { silenceAlert } from '../src/domain/alert-rules.ts';
import { handleLevelPolicy } from '../src/domain/policy.ts';
import { businessSeconds, compileCalendar, isOpen } from '../src/domain/calendar.ts';
import { ALWAYS_OPEN } from '../src/domain/deadlines.ts';

export const CHECK_SILENCE = 'check_silence';

/** Checks every active handle; returns the handles that got a new alert. */
export async function checkSilence(db: Db, now: Date): Promise<number[]> {
  const policies = await loadPolicies(db);
  const raised: number[] = [];
  for (const h of await activeHandles(db)) {
    const ctx = await loadHandleContext(db, h.id, policies);
    if (!ctx) continue;
    const waiting = await waitingCases(db, h.id, now);
    if (!waiting.count) continue;
    const cal = compileCalendar(ctx.calendar ?? ALWAYS_OPEN);
    const policy = handleLevelPolicy(ctx.scope)!;
    const lastBrandAt = h.last_brand_tweet_at ?? undefined;
    // Silence while cases wait: from the later of the last post and the oldest wait.
    const from = Math.max(lastBrandAt?.getTime() ?? 0, waiting.oldest?.getTime() ?? now.getTime());
    const draft = silenceAlert({
      handleId: h.id,
      handle: ctx.handle,
      now,
      open: isOpen(cal, now),
      lastBrandAt,
      silentBusinessSeconds: businessSeconds(cal, from, now),
      waitingCases: waiting.count,
      oldestWaitSince: waiting.oldest,
      silentAfterMinutes: policy.silentAfterMinutes,
    });
    if (!draft) continue;
    const r = await db.transaction().execute((trx) => raiseAlert(trx, { ...draft, handleId: h.id, teamId: ctx.teamId, raisedAt: now }, { now }));
    if (r.created) raised.push(h.id);
  }
  return raised;
}

export function checkSilenceTask(deps: Deps): Task {
  return async () => {
    await checkSilence(deps.db, deps.clock());
  };
}
