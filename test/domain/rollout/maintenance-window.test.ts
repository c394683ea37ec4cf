import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isOpen, nextOpening, windowInterval } from '#domain/rollout/maintenance-window.ts';
import {
  type MaintenanceWindow,
  maintenanceWindowSchema,
  WEEKDAYS,
} from '#domain/rollout/maintenance-window-schema.ts';
import { parseWindowText } from '#domain/rollout/maintenance-window-text.ts';

const window = (text: string): MaintenanceWindow => parseWindowText(text);
const utc = (text: string) => new Date(text);

describe('maintenance windows on the days clocks change', () => {
  it.each([
    // Europe/Berlin springs forward on 2026-03-29 at 02:00 (to 03:00) and falls back on 2026-10-25 at 03:00 (to 02:00).
    [
      'a start the clocks skip opens at the jump',
      'Sun 02:30-04:00 Europe/Berlin',
      '2026-03-28T12:00:00Z',
      '2026-03-29T01:00:00Z',
      '2026-03-29T02:00:00Z',
    ],
    [
      'a start the clocks repeat opens at its first occurrence',
      'Sun 02:30-04:00 Europe/Berlin',
      '2026-10-24T12:00:00Z',
      '2026-10-25T00:30:00Z',
      '2026-10-25T03:00:00Z',
    ],
    [
      'an end the clocks repeat closes at its first occurrence',
      'Sun 01:00-02:30 Europe/Berlin',
      '2026-10-24T12:00:00Z',
      '2026-10-24T23:00:00Z',
      '2026-10-25T00:30:00Z',
    ],
    [
      'a window across the spring-forward night is an hour shorter',
      'Sat 22:00-06:00 Europe/Berlin',
      '2026-03-28T12:00:00Z',
      '2026-03-28T21:00:00Z',
      '2026-03-29T04:00:00Z',
    ],
    [
      'a window across the fall-back night is an hour longer',
      'Sat 22:00-06:00 Europe/Berlin',
      '2026-10-24T12:00:00Z',
      '2026-10-24T20:00:00Z',
      '2026-10-25T05:00:00Z',
    ],
    // America/New_York springs forward on 2026-03-08 at 02:00 and falls back on 2026-11-01 at 02:00.
    [
      'a window wholly in the skipped hour does not open that day',
      'Sun 02:00-02:30 America/New_York',
      '2026-03-07T12:00:00Z',
      '2026-03-15T06:00:00Z',
      '2026-03-15T06:30:00Z',
    ],
    [
      'a window over the repeated hour keeps both of its halves',
      'Sun 01:30-03:00 America/New_York',
      '2026-10-31T12:00:00Z',
      '2026-11-01T05:30:00Z',
      '2026-11-01T08:00:00Z',
    ],
    [
      '24:00 ends at midnight',
      'Sun 20:00-24:00 UTC',
      '2026-03-01T12:00:00Z',
      '2026-03-01T20:00:00Z',
      '2026-03-02T00:00:00Z',
    ],
  ])('%s (%s)', (_, text, now, opensAt, closesAt) => {
    // Act
    const interval = windowInterval(window(text), utc(now));
    // Assess
    expect(interval.opensAt.toISOString()).toBe(utc(opensAt).toISOString());
    expect(interval.closesAt.toISOString()).toBe(utc(closesAt).toISOString());
  });

  it.each([
    ['Mon-Fri 01:00-05:00 Europe/Berlin', '2026-03-02T00:30:00Z', true], // Monday 01:30 CET
    ['Mon-Fri 01:00-05:00 Europe/Berlin', '2026-03-02T04:00:00Z', false], // Monday 05:00 CET: closed
    ['Mon-Fri 01:00-05:00 Europe/Berlin', '2026-03-07T00:30:00Z', false], // Saturday
    ['Fri 22:00-06:00 Europe/Berlin', '2026-03-07T04:59:00Z', true], // Saturday 05:59, the Friday window
    ['Fri 22:00-06:00 Europe/Berlin', '2026-03-07T05:00:00Z', false], // Saturday 06:00
    ['Fri 22:00-06:00 Europe/Berlin', '2026-03-07T21:30:00Z', false], // Saturday 22:30: Saturday is not listed
    ['Sat 23:00-03:00 America/New_York', '2026-03-08T06:59:00Z', true], // Sunday 01:59 EST
    ['Sat 23:00-03:00 America/New_York', '2026-03-08T07:00:00Z', false], // the jump: 03:00 EDT
  ])('%s is open at %s: %s', (text, now, open) => {
    // Act / Assess
    expect(isOpen(window(text), utc(now))).toBe(open);
  });

  it('opens next on Monday when asked on a Friday after the window', () => {
    // Act
    const next = nextOpening(window('Mon-Fri 01:00-05:00 Europe/Berlin'), utc('2026-03-06T06:00:00Z'));
    // Assess
    expect(next.toISOString()).toBe('2026-03-09T00:00:00.000Z');
  });

  it('refuses windows that are no window, naming the field', () => {
    // Act
    const same = maintenanceWindowSchema.safeParse({
      days: ['Mon'],
      start: '01:00',
      end: '01:00',
      timeZone: 'UTC',
    });
    const zone = maintenanceWindowSchema.safeParse({
      days: ['Mon'],
      start: '01:00',
      end: '02:00',
      timeZone: 'Mars/Base',
    });
    const clock = maintenanceWindowSchema.safeParse({
      days: [],
      start: '1:00',
      end: '25:00',
      timeZone: 'UTC',
    });
    // Assess
    expect(same.error?.issues[0]).toMatchObject({
      path: ['end'],
      message: expect.stringContaining('must differ from start'),
    });
    expect(zone.error?.issues[0]?.message).toBe(
      '"Mars/Base" is not an IANA time zone (e.g. Europe/Berlin, UTC)',
    );
    expect(clock.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['days', 'start', 'end']);
  });

  it('admits exactly the time zones the windows are computed in (luxon)', () => {
    // Prepare: every zone the runtime knows, links and odd spellings luxon takes, and non-zones
    const zones = [
      ...Intl.supportedValuesOf('timeZone'),
      ...['utc', 'Etc/GMT+5', 'US/Pacific', 'europe/berlin', 'GMT', 'Z', 'UTC+1', '', ' UTC', 'Mars/Base'],
    ];
    const window = (timeZone: string) => ({ days: ['Mon'], start: '01:00', end: '02:00', timeZone });
    // Act
    const admitted = zones.filter((zone) => maintenanceWindowSchema.safeParse(window(zone)).success);
    // Assess
    expect(admitted).toEqual(zones.filter((zone) => IANAZone.isValidZone(zone)));
    expect(admitted.length).toBeGreaterThan(400);
  });
});

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
const clockArb = fc.integer({ min: 0, max: 95 }).map((quarter) => {
  const minutes = quarter * 15;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
});
const windowArb = fc
  .record({
    days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
    start: clockArb,
    end: clockArb,
    timeZone: fc.constantFrom(...ZONES),
  })
  .filter((w) => w.start !== w.end);
/** 2026 and 2027, to the minute: every change of clocks of those zones is in range. */
const instantArb = fc
  .integer({ min: Date.UTC(2026, 0, 1) / 60_000, max: Date.UTC(2028, 0, 1) / 60_000 })
  .map((m) => new Date(m * 60_000));

/** An oracle independent of luxon: the local weekday and time as Intl reads them. */
function localClock(at: Date, timeZone: string): { day: number; minutes: number; offset: string } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: WEEKDAYS.indexOf(part('weekday') as (typeof WEEKDAYS)[number]),
    minutes: Number(part('hour')) * 60 + Number(part('minute')),
    offset: part('timeZoneName'),
  };
}

function openByWallClock(w: MaintenanceWindow, at: Date): boolean {
  const { day, minutes } = localClock(at, w.timeZone);
  const [start, end] = [w.start, w.end].map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
  const listed = (d: number) => w.days.includes(WEEKDAYS[(d + 7) % 7] as (typeof WEEKDAYS)[number]);
  if ((start ?? 0) < (end ?? 0)) return listed(day) && minutes >= (start ?? 0) && minutes < (end ?? 0);
  return (listed(day) && minutes >= (start ?? 0)) || (listed(day - 1) && minutes < (end ?? 0));
}

const hours = (n: number) => n * 3_600_000;

describe('maintenance window properties', () => {
  it('away from clock changes, a window is open exactly when the local wall clock is inside it', () => {
    fc.assert(
      fc.property(windowArb, instantArb, (w, at) => {
        const offsets = [-30, 0, 30].map(
          (h) => localClock(new Date(at.getTime() + hours(h)), w.timeZone).offset,
        );
        fc.pre(new Set(offsets).size === 1);
        expect(isOpen(w, at)).toBe(openByWallClock(w, at));
      }),
      { numRuns: 1500 },
    );
  });

  it('the next opening is open, not before now, and nothing opens in between', () => {
    fc.assert(
      fc.property(windowArb, instantArb, (w, at) => {
        const next = nextOpening(w, at);
        expect(next.getTime()).toBeGreaterThanOrEqual(at.getTime());
        expect(isOpen(w, next)).toBe(true);
        if (next > at) expect(isOpen(w, new Date(next.getTime() - 60_000))).toBe(false);
        for (let t = at.getTime(); t < next.getTime(); t += hours(1))
          expect(isOpen(w, new Date(t))).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
