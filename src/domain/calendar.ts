// Owns business-hours arithmetic on a Calendar: business seconds between instants, deadlines, open/closed, iCal holidays.
import { DateTime } from 'luxon';
import type { Calendar, Weekday } from './types.ts';

export class CalendarError extends Error {
  readonly code = 'CALENDAR_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_MS = 86_400_000;
/** Deadlines further out than this mean the calendar has (almost) no hours; stop instead of looping for ever. */
const MAX_SCAN_DAYS = 3 * 366;

/**
 * A calendar prepared for fast queries. Window intervals are computed once per local date (luxon does the
 * zone and DST work) and cached, so the hot path is integer arithmetic.
 */
export interface CompiledCalendar {
  readonly calendar: Calendar;
  /** True when every instant is business time (24/7, no holidays): business seconds equal wall seconds. */
  readonly always: boolean;
  /** Windows in minutes from local midnight per weekday index (0 = Monday); end may exceed 1440 (past midnight). */
  readonly windows: readonly (readonly [number, number])[][];
  readonly holidays: ReadonlySet<string>;
  readonly dayCache: Map<number, Float64Array>;
  readonly hasHours: boolean;
}

function parseWindow(w: string): [number, number] {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(w);
  if (!m) throw new CalendarError(`calendar window "${w}": expected "HH:MM-HH:MM"`);
  const start = Number(m[1]) * 60 + Number(m[2]);
  let end = Number(m[3]) * 60 + Number(m[4]);
  if (start > 1440 || end > 1440) throw new CalendarError(`calendar window "${w}": hours must be 00-24`);
  // An end at or before the start runs past midnight into the next day ("22:00-02:00"; "00:00-00:00" is a full day).
  if (end <= start) end += 1440;
  return [start, end];
}

const compiledCache = new WeakMap<Calendar, CompiledCalendar>();

/** Prepares a calendar for queries; cheap to call repeatedly with the same object (cached by identity). */
export function compileCalendar(calendar: Calendar): CompiledCalendar {
  const cached = compiledCache.get(calendar);
  if (cached) return cached;
  if (!DateTime.local().setZone(calendar.timezone).isValid) throw new CalendarError(`calendar ${calendar.name}: unknown time zone "${calendar.timezone}"`);
  const windows = WEEKDAYS.map((d) => (calendar.hours[d] ?? []).map(parseWindow).sort((a, b) => a[0] - b[0]));
  const always = calendar.holidays.length === 0 && windows.every((ws) => ws.some(([s, e]) => s === 0 && e >= 1440));
  const compiled: CompiledCalendar = {
    calendar,
    always,
    windows,
    holidays: new Set(calendar.holidays),
    dayCache: new Map(),
    hasHours: windows.some((ws) => ws.some(([s, e]) => e > s)),
  };
  compiledCache.set(calendar, compiled);
  return compiled;
}

/** Days since 1970-01-01 of the local date of `ms` in the calendar's zone. */
function localDay(cal: CompiledCalendar, ms: number): number {
  const dt = DateTime.fromMillis(ms, { zone: cal.calendar.timezone });
  return Math.floor(Date.UTC(dt.year, dt.month - 1, dt.day) / DAY_MS);
}

function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Business intervals (UTC ms pairs) of the shifts that START on local day `day`. A shift belongs to the day it starts,
 * so a holiday on Friday removes Friday's 22:00-02:00 shift entirely and leaves Saturday's alone.
 */
function dayIntervals(cal: CompiledCalendar, day: number): Float64Array {
  let iv = cal.dayCache.get(day);
  if (iv) return iv;
  const weekday = (((day + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday (index 3)
  const ws = cal.holidays.has(isoDate(day)) ? [] : cal.windows[weekday]!;
  iv = new Float64Array(ws.length * 2);
  const d = new Date(day * DAY_MS);
  const base = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  const at = (minutes: number) =>
    DateTime.fromObject({ ...base, hour: 0, minute: 0 }, { zone: cal.calendar.timezone })
      .plus({ days: Math.floor(minutes / 1440) })
      .set({ hour: Math.floor((minutes % 1440) / 60), minute: minutes % 60 })
      .toMillis();
  ws.forEach(([s, e], i) => {
    iv![i * 2] = at(s);
    iv![i * 2 + 1] = at(e);
  });
  cal.dayCache.set(day, iv);
  return iv;
}

/** Business seconds between two instants (0 when `to` is not after `from`). */
export function businessSeconds(calendar: Calendar | CompiledCalendar, from: Date | number, to: Date | number): number {
  const cal = 'dayCache' in calendar ? calendar : compileCalendar(calendar);
  const a = typeof from === 'number' ? from : from.getTime();
  const b = typeof to === 'number' ? to : to.getTime();
  if (b <= a) return 0;
  if (cal.always) return (b - a) / 1000;
  let total = 0;
  // Overlapping windows (a shift past midnight meeting the next day's first shift) must not count twice.
  let cursor = a;
  const last = localDay(cal, b);
  for (let day = localDay(cal, a) - 1; day <= last; day++) {
    const iv = dayIntervals(cal, day);
    for (let i = 0; i < iv.length; i += 2) {
      const s = Math.max(iv[i]!, cursor);
      const e = Math.min(iv[i + 1]!, b);
      if (e > s) {
        total += e - s;
        cursor = e;
      }
    }
  }
  return total / 1000;
}

/** The instant at which `seconds` business seconds have elapsed after `start` (the due time of a business-clock target). */
export function addBusinessSeconds(calendar: Calendar | CompiledCalendar, start: Date | number, seconds: number): Date {
  const cal = 'dayCache' in calendar ? calendar : compileCalendar(calendar);
  const a = typeof start === 'number' ? start : start.getTime();
  if (cal.always) return new Date(a + seconds * 1000);
  if (!cal.hasHours) throw new CalendarError(`calendar ${cal.calendar.name} has no business hours; a business-clock deadline never comes`);
  let remaining = seconds * 1000;
  let cursor = a;
  const first = localDay(cal, a) - 1;
  for (let day = first; day <= first + MAX_SCAN_DAYS; day++) {
    const iv = dayIntervals(cal, day);
    for (let i = 0; i < iv.length; i += 2) {
      const s = Math.max(iv[i]!, cursor);
      const e = iv[i + 1]!;
      if (e <= s) continue;
      if (e - s >= remaining) return new Date(s + remaining);
      remaining -= e - s;
      cursor = e;
    }
  }
  throw new CalendarError(`calendar ${cal.calendar.name}: no deadline within ${MAX_SCAN_DAYS} days (holidays cover the hours?)`);
}

/** Whether `at` falls inside a business window. */
export function isOpen(calendar: Calendar | CompiledCalendar, at: Date | number): boolean {
  const cal = 'dayCache' in calendar ? calendar : compileCalendar(calendar);
  if (cal.always) return true;
  const t = typeof at === 'number' ? at : at.getTime();
  const today = localDay(cal, t);
  for (let day = today - 1; day <= today; day++) {
    const iv = dayIntervals(cal, day);
    for (let i = 0; i < iv.length; i += 2) if (t >= iv[i]! && t < iv[i + 1]!) return true;
  }
  return false;
}

/**
 * Holiday dates (YYYY-MM-DD) from the all-day events of an iCal text. Timed events are ignored (they are meetings, not
 * closures) and so are recurrence rules; multi-day events give every date up to, not including, DTEND.
 */
export function parseIcalHolidays(ics: string): string[] {
  // RFC 5545 folding: a line break followed by a space or tab continues the previous line.
  const lines = ics.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  const out = new Set<string>();
  let inEvent = false;
  let start: string | undefined;
  let end: string | undefined;
  const dateOf = (line: string): string | undefined => {
    const colon = line.indexOf(':');
    const params = line.slice(0, colon).toUpperCase();
    const value = line.slice(colon + 1).trim();
    const isDate = params.includes('VALUE=DATE') && !params.includes('VALUE=DATE-TIME');
    if (!(isDate || /^\d{8}$/.test(value))) return undefined;
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
    return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
  };
  for (const line of lines) {
    const upper = line.toUpperCase();
    if (upper.startsWith('BEGIN:VEVENT')) {
      inEvent = true;
      start = end = undefined;
    } else if (upper.startsWith('END:VEVENT')) {
      if (inEvent && start) {
        const s = Date.parse(`${start}T00:00:00Z`);
        const e = end ? Date.parse(`${end}T00:00:00Z`) : s + DAY_MS;
        for (let t = s; t < Math.max(e, s + DAY_MS); t += DAY_MS) out.add(new Date(t).toISOString().slice(0, 10));
      }
      inEvent = false;
    } else if (inEvent && (upper.startsWith('DTSTART;') || upper.startsWith('DTSTART:'))) {
      start = dateOf(line);
    } else if (inEvent && (upper.startsWith('DTEND;') || upper.startsWith('DTEND:'))) {
      end = dateOf(line);
    }
  }
  return [...out].sort();
}
