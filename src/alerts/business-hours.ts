// Owns the quiet-hours questions for alerts, on top of the domain calendar: is it open now, and when does it next open.
import { addBusinessSeconds, isOpen } from '../domain/calendar.ts';
import type { Calendar } from '../domain/types.ts';

export { isOpen };

/** The next instant the calendar opens (`at` itself when open); null when it has no business hours at all. */
export function nextOpening(cal: Calendar, at: Date): Date | null {
  if (isOpen(cal, at)) return at;
  try {
    // Zero business seconds after `at` is the first business instant at or after it.
    return addBusinessSeconds(cal, at, 0);
  } catch {
    return null;
  }
}
