// Owns the alert rules: which alerts a case, a handle's silence or a handle's volume produce, each with severity, reasons and a stable dedup key.

export type Severity = 'info' | 'warning' | 'critical';

/** An alert the rules want raised; the database's unique dedup_key makes raising it again a no-op. */
export interface AlertDraft {
  kind: string;
  severity: Severity;
  dedupKey: string;
  caseId?: string;
  tweetId?: string;
  title: string;
  reasons: string[];
  details: Record<string, unknown>;
  dueAt?: Date;
}

/** One classified tweet of a case, oldest first. */
export interface CaseTweet {
  tweetId: string;
  role: 'customer' | 'brand';
  at: Date;
  /** Brand reply kind. */
  kind?: string | null;
  /** Customer flags. */
  flags: string[];
  reasons: string[];
  automated?: boolean;
}

export interface CaseView {
  caseId: string;
  customerId: string;
  customerLabel: string;
  handle: string;
  tweets: CaseTweet[];
}

const has = (t: CaseTweet, flag: string) => t.flags.includes(flag);

/** Alerts that follow from the content of a case: escalation, churn risk, deflection (and the deflection chain). */
export function caseAlerts(view: CaseView, deflecting: ReadonlySet<string>): AlertDraft[] {
  const out: AlertDraft[] = [];
  const customer = view.tweets.filter((t) => t.role === 'customer');
  const who = `${view.customerLabel} → @${view.handle}`;

  const escalation = customer.find((t) => has(t, 'escalation'));
  if (escalation) {
    out.push({
      kind: 'escalation',
      severity: 'critical',
      dedupKey: `escalation:${view.caseId}`,
      caseId: view.caseId,
      tweetId: escalation.tweetId,
      title: `Customer escalated publicly: ${who}`,
      reasons: ['customer tagged a regulator, executive or the press', ...escalation.reasons],
      details: { at: escalation.at.toISOString() },
    });
  }

  const churn = customer.find((t) => has(t, 'churn_threat'));
  if (churn) {
    const unanswered = !view.tweets.some((t) => t.role === 'brand' && t.at >= churn.at);
    out.push({
      kind: 'churn_risk',
      severity: unanswered ? 'critical' : 'warning',
      dedupKey: `churn_risk:${view.caseId}`,
      caseId: view.caseId,
      tweetId: churn.tweetId,
      title: `Customer threatens to leave: ${who}`,
      reasons: ['customer threatens to cancel or switch provider', ...(unanswered ? ['no brand reply since the threat'] : []), ...churn.reasons],
      details: { at: churn.at.toISOString() },
    });
  }

  out.push(...deflectionAlerts(view, deflecting));
  return out;
}

/**
 * `deflected`: a complaint answered only with deflecting kinds. When the customer then comes back
 * unhappy (complaint or nudge after the deflection, with no real answer in between: "please use our
 * chat" then "*thud*"), a second, critical alert follows.
 */
function deflectionAlerts(view: CaseView, deflecting: ReadonlySet<string>): AlertDraft[] {
  const firstComplaint = view.tweets.find((t) => t.role === 'customer' && has(t, 'complaint'));
  if (!firstComplaint) return [];
  const replies = view.tweets.filter((t) => t.role === 'brand' && t.at >= firstComplaint.at && !t.automated);
  if (!replies.length || !replies.every((r) => r.kind && deflecting.has(r.kind))) return [];
  const first = replies[0];
  const kinds = [...new Set(replies.map((r) => r.kind!))];
  const who = `${view.customerLabel} → @${view.handle}`;
  const out: AlertDraft[] = [
    {
      kind: 'deflected',
      severity: 'warning',
      dedupKey: `deflected:${view.caseId}`,
      caseId: view.caseId,
      tweetId: first.tweetId,
      title: `Complaint deflected: ${who}`,
      reasons: [`complaint answered only with ${kinds.join(', ')}`, ...first.reasons],
      details: { replyKinds: kinds, replies: replies.length },
    },
  ];
  const comeback = view.tweets.find((t) => t.role === 'customer' && t.at > first.at && (has(t, 'complaint') || has(t, 'nudge')));
  if (comeback) {
    out.push({
      kind: 'deflected',
      severity: 'critical',
      dedupKey: `deflected:${view.caseId}:unhappy`,
      caseId: view.caseId,
      tweetId: comeback.tweetId,
      title: `Deflected customer came back unhappy: ${who}`,
      reasons: [`after ${first.kind} the customer wrote again (${comeback.flags.join(', ')})`, ...comeback.reasons],
      details: { replyKinds: kinds, deflectedAt: first.at.toISOString(), cameBackAt: comeback.at.toISOString() },
    });
  }
  return out;
}

export interface SilenceInput {
  handleId: number;
  handle: string;
  now: Date;
  /** Calendar open at `now`. */
  open: boolean;
  /** The handle's last post (reply or broadcast), or undefined if it never posted. */
  lastBrandAt?: Date;
  /** Business seconds since the last post (or since the oldest wait began when it never posted). */
  silentBusinessSeconds: number;
  waitingCases: number;
  oldestWaitSince?: Date;
  silentAfterMinutes: number;
}

/** `handle_silent`: during stated hours the handle posted nothing for N minutes while cases wait. One alert per silence. */
export function silenceAlert(s: SilenceInput): AlertDraft | undefined {
  if (!s.open || s.waitingCases === 0) return undefined;
  if (s.silentBusinessSeconds < s.silentAfterMinutes * 60) return undefined;
  // The silence episode is named by the post that began it, so it is raised once until the handle posts again.
  const since = (s.lastBrandAt ?? s.oldestWaitSince)?.toISOString() ?? 'never';
  const minutes = Math.floor(s.silentBusinessSeconds / 60);
  return {
    kind: 'handle_silent',
    severity: s.waitingCases >= 10 ? 'critical' : 'warning',
    dedupKey: `handle_silent:${s.handleId}:${since}`,
    title: `@${s.handle} has posted nothing for ${minutes} min of stated hours while ${s.waitingCases} cases wait`,
    reasons: [
      s.lastBrandAt ? `last post at ${s.lastBrandAt.toISOString()}` : 'the handle has not posted yet',
      `${minutes} business minutes without a post (limit ${s.silentAfterMinutes})`,
      `${s.waitingCases} cases waiting for an answer`,
    ],
    details: { lastBrandAt: s.lastBrandAt?.toISOString() ?? null, silentMinutes: minutes, waitingCases: s.waitingCases },
  };
}

export interface SurgeInput {
  handleId: number;
  handle: string;
  now: Date;
  windowMinutes: number;
  /** Customer tweets in the last `windowMinutes`. */
  mentions: number;
  /** Usual customer tweets per hour for this hour of the week (mean of recent weeks). */
  baselinePerHour: number;
  openCases: number;
  /** Breach due times of the cases still waiting. */
  waitingDue: Date[];
  /** Brand replies in the last hour: the team's current answer rate. */
  repliesLastHour: number;
  /** A surge needs at least this many mentions in the window (a quiet handle's 1 → 4 is no storm). */
  minMentions?: number;
  /** ... and at least this many times the usual level. */
  factor?: number;
  /** The policy the thresholds came from, for the reasons. */
  policy?: string;
}

/**
 * How many waiting cases breach within the next hour if the team keeps answering at `perHour`,
 * oldest due first: the i-th case (0-based) gets its answer after (i + 1) / perHour hours.
 */
export function forecastBreaches(waitingDue: Date[], now: Date, perHour: number, horizonSeconds = 3600): number {
  const due = waitingDue.map((d) => (d.getTime() - now.getTime()) / 1000).sort((a, b) => a - b);
  let count = 0;
  due.forEach((secondsLeft, i) => {
    if (secondsLeft > horizonSeconds) return;
    const answeredIn = perHour > 0 ? ((i + 1) / perHour) * 3600 : Infinity;
    if (answeredIn > secondsLeft) count++;
  });
  return count;
}

/** `surge`: mentions well above the handle's usual level for this hour of the week, with a breach forecast. One per handle and hour. */
export function surgeAlert(s: SurgeInput): AlertDraft | undefined {
  const minMentions = s.minMentions ?? 20;
  const factor = s.factor ?? 3;
  const expected = (s.baselinePerHour * s.windowMinutes) / 60;
  if (s.mentions < minMentions || s.mentions < factor * expected) return undefined;
  const willBreach = forecastBreaches(s.waitingDue, s.now, s.repliesLastHour);
  const hour = new Date(Math.floor(s.now.getTime() / 3_600_000) * 3_600_000).toISOString();
  const ratio = expected > 0 ? s.mentions / expected : Infinity;
  return {
    kind: 'surge',
    severity: ratio >= 2 * factor || willBreach >= 10 ? 'critical' : 'warning',
    dedupKey: `surge:${s.handleId}:${hour}`,
    title: `Surge on @${s.handle}: ${s.mentions} mentions in ${s.windowMinutes} min (usual ${expected.toFixed(1)})`,
    reasons: [
      `${s.mentions} customer tweets in the last ${s.windowMinutes} minutes, usual for this hour of the week ${expected.toFixed(1)}`,
      `${s.openCases} open cases`,
      `at the current reply rate (${s.repliesLastHour}/h) ${willBreach} cases will breach in the next hour`,
      `a surge is at least ${minMentions} customer tweets and ${factor}× the usual level${s.policy ? ` (policy ${s.policy})` : ''}`,
    ],
    details: { mentions: s.mentions, expected, baselinePerHour: s.baselinePerHour, openCases: s.openCases, repliesLastHour: s.repliesLastHour, forecastBreaches: willBreach },
  };
}

/** Hour of the week in UTC (0 = Monday 00:00), the key of the surge baseline. */
export function hourOfWeek(at: Date): number {
  return ((at.getUTCDay() + 6) % 7) * 24 + at.getUTCHours();
}
