// Owns what an alert looks like on the wire: the webhook JSON body, the Slack Block Kit message and the console line.
import { formatDuration } from '../domain/duration.ts';

export { formatDuration };

export interface AlertView {
  id: string;
  kind: string;
  severity: string;
  state: string;
  title: string;
  reasons: string[];
  details: Record<string, unknown>;
  handle: string | null;
  team: string | null;
  caseId: string | null;
  tweetId: string | null;
  customer: string | null;
  waitedSeconds: number | null;
  targetSeconds: number | null;
  dueAt: Date | null;
  raisedAt: Date;
  /** 0 for the route's channels, 1 when escalated. */
  level: number;
}

export interface Links {
  tweet: string | null;
  dashboard: string | null;
  api: string | null;
}

export function linksFor(a: AlertView, publicUrl: string): Links {
  const base = publicUrl.replace(/\/$/, '');
  return {
    tweet: a.tweetId ? `https://x.com/i/status/${a.tweetId}` : null,
    dashboard: a.caseId ? `${base}/#/cases/${a.caseId}` : null,
    api: a.caseId ? `${base}/v1/cases/${a.caseId}` : null,
  };
}

/** The alert as it appears in webhook bodies (documented in docs/webhooks.md). */
export function alertJson(a: AlertView, publicUrl: string) {
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    state: a.state,
    title: a.title,
    reasons: a.reasons,
    handle: a.handle,
    team: a.team,
    caseId: a.caseId,
    tweetId: a.tweetId,
    customer: a.customer,
    waitedSeconds: a.waitedSeconds,
    targetSeconds: a.targetSeconds,
    dueAt: a.dueAt?.toISOString() ?? null,
    raisedAt: a.raisedAt.toISOString(),
    escalationLevel: a.level,
    details: a.details,
    links: linksFor(a, publicUrl),
  };
}

export function webhookAlertBody(deliveryId: string, a: AlertView, publicUrl: string, sentAt: Date): string {
  return JSON.stringify({ type: 'alert', deliveryId, sentAt: sentAt.toISOString(), alert: alertJson(a, publicUrl) });
}

export interface DigestInfo {
  id: string;
  channel: string;
  reason: string;
}

export function webhookDigestBody(d: DigestInfo, alerts: AlertView[], publicUrl: string, sentAt: Date): string {
  return JSON.stringify({ type: 'digest', deliveryId: d.id, sentAt: sentAt.toISOString(), reason: d.reason, count: alerts.length, alerts: alerts.map((a) => alertJson(a, publicUrl)) });
}

const ICON: Record<string, string> = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' };

/** Slack mrkdwn needs &, < and > escaped in user text. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackAlertMessage(a: AlertView, publicUrl: string): { text: string; blocks: unknown[] } {
  const links = linksFor(a, publicUrl);
  const prefix = a.level > 0 ? '[escalated] ' : '';
  const text = `${prefix}${a.severity.toUpperCase()}: ${a.title}`;
  const fields = [
    `*Handle*\n${a.handle ? '@' + esc(a.handle) : 'n/a'}`,
    `*Customer*\n${a.customer ? esc(a.customer) : 'n/a'}`,
    `*Waited / target*\n${formatDuration(a.waitedSeconds)} / ${formatDuration(a.targetSeconds)}`,
    `*Severity*\n${a.severity}${a.team ? ` (team ${esc(a.team)})` : ''}`,
  ].map((t) => ({ type: 'mrkdwn', text: t }));
  const linkText = [
    links.tweet && `<${links.tweet}|Tweet>`,
    links.dashboard && `<${links.dashboard}|Case in dashboard>`,
    links.api && `<${links.api}|Case in API>`,
  ].filter(Boolean);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: `${prefix}${a.title}`.slice(0, 150) } },
    { type: 'section', fields },
  ];
  if (a.reasons.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Why*\n${a.reasons.map((r) => `• ${esc(r)}`).join('\n')}`.slice(0, 3000) } });
  if (linkText.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: linkText.join('  |  ') }] });
  return { text: `${ICON[a.severity] ?? ''} ${esc(text)}`.trim(), blocks };
}

export function slackDigestMessage(d: DigestInfo, alerts: AlertView[], publicUrl: string): { text: string; blocks: unknown[] } {
  const why = d.reason === 'quiet_hours' ? 'held over quiet hours' : 'arrived faster than this channel shows them';
  const shown = alerts.slice(0, 20);
  const lines = shown.map((a) => {
    const l = linksFor(a, publicUrl);
    const title = esc(a.title);
    return `• ${ICON[a.severity] ?? ''} ${l.dashboard ? `<${l.dashboard}|${title}>` : title}${a.handle ? ` (@${esc(a.handle)})` : ''}`;
  });
  if (alerts.length > shown.length) lines.push(`…and ${alerts.length - shown.length} more`);
  const text = `${alerts.length} alerts ${why}`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `Digest: ${alerts.length} alerts` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `These alerts ${why}.` }] },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } },
    ],
  };
}
