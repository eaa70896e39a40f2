// Owns how times and durations are written on the page.

export function formatDuration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s / 60}m`;
  if (s < 86400) return s % 3600 < 60 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** "3m ago" / "in 5m", relative to `now` (ms). */
export function relative(iso: string, now: number): string {
  const diff = (Date.parse(iso) - now) / 1000;
  if (Number.isNaN(diff)) return '—';
  if (Math.abs(diff) < 5) return 'just now';
  return diff < 0 ? `${formatDuration(-diff)} ago` : `in ${formatDuration(diff)}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateTime.format(t);
}

export function label(kind: string): string {
  return kind.replace(/_/g, ' ');
}
