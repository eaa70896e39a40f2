// Owns `alerts test`: a sample alert rendered for, or sent through, every channel of one route (no database needed).
import { randomUUID } from 'node:crypto';
import type { ChannelConfig, Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { channelHost, sendToChannel, type SendResult } from './channel-send.ts';
import { slackAlertMessage, alertJson, type AlertView } from './message.ts';

export class UnknownRouteError extends Error {
  readonly code = 'UNKNOWN_ROUTE';
  constructor(name: string, known: string[]) {
    super(`no route named "${name}"; configured routes: ${known.join(', ') || '(none)'}`);
    this.name = 'UnknownRouteError';
  }
}

export function sampleAlert(config: Config, routeName: string, now: Date): AlertView {
  const route = config.file.routes.find((r) => r.name === routeName)!;
  const handle = route.match.handles?.[0] ?? config.file.handles.find((h) => !route.match.teams?.length || route.match.teams.includes(h.team))?.handle ?? 'ExampleSupport';
  return {
    id: '0',
    kind: route.match.kinds?.[0] ?? 'sla_breach',
    severity: route.match.minSeverity ?? 'warning',
    state: 'open',
    title: `Test alert from replywatch (route ${routeName})`,
    reasons: ['this is a test message sent by `replywatch alerts test --send`', 'no customer is waiting'],
    details: { test: true },
    handle,
    team: route.match.teams?.[0] ?? null,
    caseId: '0',
    tweetId: '20',
    customer: '@example_customer',
    waitedSeconds: 4500,
    targetSeconds: 3600,
    dueAt: new Date(now.getTime() - 900_000),
    raisedAt: now,
    level: 0,
  };
}

export interface RouteTestLine {
  channel: string;
  type: string;
  host: string;
  level: 'route' | 'escalation';
  preview: unknown;
  result?: SendResult;
}

/** Describes (and with `send`, sends) the sample alert for each channel of the route, escalation channels included. */
export async function testRoute(config: Config, log: Logger, routeName: string, opts: { send: boolean; now: Date }): Promise<RouteTestLine[]> {
  const route = config.file.routes.find((r) => r.name === routeName);
  if (!route) throw new UnknownRouteError(routeName, config.file.routes.map((r) => r.name));
  const alert = sampleAlert(config, routeName, opts.now);
  const targets: Array<[string, 'route' | 'escalation']> = [...route.channels.map((c) => [c, 'route'] as [string, 'route']), ...(route.escalate?.channels ?? []).map((c) => [c, 'escalation'] as [string, 'escalation'])];
  const lines: RouteTestLine[] = [];
  for (const [name, level] of targets) {
    const channel = config.file.channels.find((c) => c.name === name) as ChannelConfig;
    const view = { ...alert, level: level === 'escalation' ? 1 : 0 };
    const preview = channel.type === 'slack' ? slackAlertMessage(view, config.publicUrl) : alertJson(view, config.publicUrl);
    const line: RouteTestLine = { channel: name, type: channel.type, host: channelHost(channel), level, preview };
    if (opts.send) line.result = await sendToChannel(channel, { type: 'alert', deliveryId: randomUUID(), alert: view }, { publicUrl: config.publicUrl, delivery: config.delivery, log, now: opts.now });
    lines.push(line);
  }
  return lines;
}
