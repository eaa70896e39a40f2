// Owns matching an alert against the configured routes: which channels get it now, and which on escalation.
import type { RouteConfig } from '../config.ts';

export type Severity = 'info' | 'warning' | 'critical';
const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export interface RoutableAlert {
  kind: string;
  severity: Severity;
  team: string | null;
  handle: string | null;
}

export function severityAtLeast(severity: string, min: Severity | undefined): boolean {
  if (!min) return true;
  return (RANK[severity as Severity] ?? 0) >= RANK[min];
}

export function routeMatches(route: RouteConfig, alert: RoutableAlert): boolean {
  const m = route.match ?? {};
  if (m.teams?.length && (!alert.team || !m.teams.includes(alert.team))) return false;
  if (m.handles?.length) {
    const h = alert.handle?.toLowerCase();
    if (!h || !m.handles.some((x) => x.replace(/^@/, '').toLowerCase() === h)) return false;
  }
  if (m.kinds?.length && !m.kinds.includes(alert.kind)) return false;
  return severityAtLeast(alert.severity, m.minSeverity);
}

export function matchRoutes(routes: RouteConfig[], alert: RoutableAlert): RouteConfig[] {
  return routes.filter((r) => routeMatches(r, alert));
}
