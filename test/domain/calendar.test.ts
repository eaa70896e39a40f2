import { describe, expect, it } from 'vitest';
import { addBusinessSeconds, businessSeconds, compileCalendar, isOpen, parseIcalHolidays } from '../../src/domain/calendar.ts';
import type { Calendar } from '../../src/domain/types.ts';

const weekdays = (w: string[]) => ({ mon: w, tue: w, wed: w, thu: w, fri: w });
const at = (iso: string) => new Date(iso);
const H = 3600;

describe('businessSeconds', () => {
  const office: Calendar = { name: 'office', timezone: 'UTC', hours: weekdays(['09:00-17:00']), holidays: [] };

  it('counts only hours inside the windows, across a weekend', () => {
    // Fri 16:00 -> Mon 10:00 = 1 h Friday + 1 h Monday.
    expect(businessSeconds(office, at('2026-03-06T16:00:00Z'), at('2026-03-09T10:00:00Z'))).toBe(2 * H);
    expect(businessSeconds(office, at('2026-03-07T10:00:00Z'), at('2026-03-08T20:00:00Z'))).toBe(0);
    expect(businessSeconds(office, at('2026-03-09T10:00:00Z'), at('2026-03-09T09:00:00Z'))).toBe(0);
  });

  it('handles split shifts', () => {
    const split: Calendar = { name: 's', timezone: 'UTC', hours: { mon: ['08:00-12:00', '14:00-18:00'] }, holidays: [] };
    // Mon 11:00 -> 15:00: 1 h morning + 1 h afternoon.
    expect(businessSeconds(split, at('2026-03-09T11:00:00Z'), at('2026-03-09T15:00:00Z'))).toBe(2 * H);
    expect(isOpen(split, at('2026-03-09T13:00:00Z'))).toBe(false);
    expect(isOpen(split, at('2026-03-09T14:00:00Z'))).toBe(true);
  });

  it('handles an overnight window that belongs to the day it starts', () => {
    const night: Calendar = { name: 'n', timezone: 'UTC', hours: { fri: ['22:00-02:00'] }, holidays: [] };
    // Fri 21:00 -> Sat 03:00 covers the whole 4 h shift, including Saturday 00:00-02:00.
    expect(businessSeconds(night, at('2026-03-06T21:00:00Z'), at('2026-03-07T03:00:00Z'))).toBe(4 * H);
    expect(isOpen(night, at('2026-03-07T01:30:00Z'))).toBe(true);
    expect(isOpen(night, at('2026-03-07T02:00:00Z'))).toBe(false);
    // A holiday on the Friday removes the shift, including its part after midnight.
    const holiday = { ...night, holidays: ['2026-03-06'] };
    expect(businessSeconds(holiday, at('2026-03-06T21:00:00Z'), at('2026-03-07T03:00:00Z'))).toBe(0);
  });

  it('treats a 24:00 end as midnight and does not double-count overlapping windows', () => {
    const cal: Calendar = { name: 'c', timezone: 'UTC', hours: { mon: ['20:00-24:00', '22:00-01:00'], tue: ['00:00-02:00'] }, holidays: [] };
    // Union of Mon 20:00-24:00, Mon 22:00-Tue 01:00 and Tue 00:00-02:00 is Mon 20:00-Tue 02:00 = 6 h.
    expect(businessSeconds(cal, at('2026-03-09T18:00:00Z'), at('2026-03-10T05:00:00Z'))).toBe(6 * H);
  });

  it('skips holidays', () => {
    const cal = { ...office, holidays: ['2026-12-25'] };
    // Thu 24 Dec 16:00 -> Mon 28 Dec 10:00: 1 h Thursday, Friday is a holiday, 1 h Monday.
    expect(businessSeconds(cal, at('2026-12-24T16:00:00Z'), at('2026-12-28T10:00:00Z'))).toBe(2 * H);
  });

  it('is a plain difference on a 24/7 calendar', () => {
    const always: Calendar = { name: 'a', timezone: 'UTC', hours: { mon: ['00:00-24:00'], tue: ['00:00-24:00'], wed: ['00:00-24:00'], thu: ['00:00-24:00'], fri: ['00:00-24:00'], sat: ['00:00-24:00'], sun: ['00:00-24:00'] }, holidays: [] };
    expect(compileCalendar(always).always).toBe(true);
    expect(businessSeconds(always, at('2026-03-06T16:00:00Z'), at('2026-03-09T10:00:00Z'))).toBe(66 * H);
  });
});

describe('DST', () => {
  const allDay = (tz: string): Calendar => ({ name: tz, timezone: tz, hours: { sat: ['00:00-24:00'], sun: ['00:00-24:00'], mon: ['00:00-24:00'] }, holidays: [] });

  it('Europe/London: spring-forward Sunday has 23 business hours, fall-back Sunday 25', () => {
    // 2026-03-29 and 2026-10-25 are the UK changes; a full-day window covers local midnight to midnight.
    expect(businessSeconds(allDay('Europe/London'), at('2026-03-29T00:00:00Z'), at('2026-03-29T23:00:00Z'))).toBe(23 * H);
    expect(businessSeconds(allDay('Europe/London'), at('2026-10-24T23:00:00Z'), at('2026-10-26T00:00:00Z'))).toBe(25 * H);
  });

  it('Europe/London: 09:00 local moves from 09:00Z to 08:00Z after the spring change', () => {
    const cal: Calendar = { name: 'l', timezone: 'Europe/London', hours: weekdays(['09:00-17:00']), holidays: [] };
    expect(isOpen(cal, at('2026-03-27T08:30:00Z'))).toBe(false); // GMT: 08:30 local
    expect(isOpen(cal, at('2026-03-30T08:30:00Z'))).toBe(true); // BST: 09:30 local
    // Fri 16:00 local (GMT) to Mon 10:00 local (BST) = 1 h + 1 h, although 65 wall hours pass.
    expect(businessSeconds(cal, at('2026-03-27T16:00:00Z'), at('2026-03-30T09:00:00Z'))).toBe(2 * H);
  });

  it('America/New_York: both changes', () => {
    const ny = allDay('America/New_York');
    // 2026-03-08 spring forward (EST->EDT), 2026-11-01 fall back (EDT->EST).
    expect(businessSeconds(ny, at('2026-03-08T05:00:00Z'), at('2026-03-09T04:00:00Z'))).toBe(23 * H);
    expect(businessSeconds(ny, at('2026-11-01T04:00:00Z'), at('2026-11-02T05:00:00Z'))).toBe(25 * H);
    const office: Calendar = { name: 'ny', timezone: 'America/New_York', hours: weekdays(['09:00-17:00']), holidays: [] };
    expect(isOpen(office, at('2026-11-02T14:30:00Z'))).toBe(true); // 09:30 EST
    expect(isOpen(office, at('2026-10-30T13:30:00Z'))).toBe(true); // 09:30 EDT
    expect(isOpen(office, at('2026-11-02T13:30:00Z'))).toBe(false); // 08:30 EST
  });
});

describe('addBusinessSeconds', () => {
  const cal: Calendar = { name: 'l', timezone: 'Europe/London', hours: { ...weekdays(['09:00-12:00', '13:00-17:00']), fri: ['09:00-12:00', '22:00-02:00'] }, holidays: ['2026-03-31'] };

  it('finds the due time across lunch, nights, weekends, holidays and DST', () => {
    // Thu 11:30 + 1 h business = 13:30 (lunch skipped).
    expect(addBusinessSeconds(cal, at('2026-03-26T11:30:00Z'), H).toISOString()).toBe('2026-03-26T13:30:00.000Z');
    // Fri 11:00 + 2 h: 1 h until noon, then the night shift from 22:00 -> 23:00 Friday.
    expect(addBusinessSeconds(cal, at('2026-03-27T11:00:00Z'), 2 * H).toISOString()).toBe('2026-03-27T23:00:00.000Z');
    // Sat 01:00 (inside Friday's night shift) + 3 h: 1 h to 02:00, then Mon 09:00 BST (08:00Z) + 2 h.
    expect(addBusinessSeconds(cal, at('2026-03-28T01:00:00Z'), 3 * H).toISOString()).toBe('2026-03-30T10:00:00.000Z');
    // Mon 16:30 BST + 1 h: 30 min Monday, Tuesday is a holiday, then Wed 09:00 + 30 min.
    expect(addBusinessSeconds(cal, at('2026-03-30T15:30:00Z'), H).toISOString()).toBe('2026-04-01T08:30:00.000Z');
  });

  it('is the inverse of businessSeconds', () => {
    const starts = ['2026-03-26T11:30:00Z', '2026-03-27T23:30:00Z', '2026-03-29T12:00:00Z', '2026-10-23T16:00:00Z'];
    for (const s of starts) {
      for (const secs of [1, 1800, 3 * H, 10 * H, 40 * H]) {
        const due = addBusinessSeconds(cal, at(s), secs);
        expect(businessSeconds(cal, at(s), due)).toBeCloseTo(secs, 6);
      }
    }
  });

  it('refuses a calendar without hours', () => {
    expect(() => addBusinessSeconds({ name: 'x', timezone: 'UTC', hours: {}, holidays: [] }, at('2026-03-26T11:30:00Z'), 60)).toThrow(/no business hours/);
  });
});

describe('parseIcalHolidays', () => {
  it('reads all-day events, multi-day ranges and folded lines, and ignores timed events', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'SUMMARY:Christmas',
      'DTSTART;VALUE=DATE:20261225',
      'DTEND;VALUE=DATE:20261227',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'SUMMARY:Meeting',
      'DTSTART:20261201T100000Z',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'SUMMARY:New Year with a very long',
      '  folded summary',
      'DTSTART;VALUE=DATE:20270101',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    expect(parseIcalHolidays(ics)).toEqual(['2026-12-25', '2026-12-26', '2027-01-01']);
  });
});
