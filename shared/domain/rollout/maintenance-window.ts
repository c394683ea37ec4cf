/**
 * Maintenance windows: weekly local hours in an IANA time zone during which rollout jobs may
 * start (jobs already running finish outside them). The local clock decides, with these rules
 * for the days a zone changes its clocks:
 *
 * - a window opens, on each listed day, at the first instant the local clock reads `start` or
 *   later, and closes at the first instant after that when it reads `end` or later, the next
 *   day when `end` is not after `start` (a window crossing midnight belongs to the day it opens);
 * - so a `start` the clocks skip (02:30 on a spring-forward night) opens at the jump (03:00), a
 *   `start` the clocks repeat (02:30 on a fall-back night) opens at its first occurrence, and a
 *   window lying wholly in a skipped hour does not open that day.
 *
 * Times are "HH:mm"; `end` may be "24:00" (midnight at the end of the day).
 */
import { DateTime, IANAZone } from 'luxon';
import {
  clockMinutes,
  type MaintenanceWindow,
  MINUTES_PER_DAY,
  WEEKDAYS,
  type Weekday,
} from './maintenance-window-schema.ts';

export interface WindowInterval {
  opensAt: Date;
  closesAt: Date;
}

/** Milliseconds of the first instant in [from, to] at which the zone's offset is that of `to`. */
function offsetChange(zone: IANAZone, from: number, to: number): number {
  const after = zone.offset(to);
  let [low, high] = [from, to];
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zone.offset(middle) === after) high = middle;
    else low = middle;
  }
  return high;
}

/** The first instant at which the local clock of `day` reads `minutes` (after midnight) or later. */
function firstInstantAt(day: DateTime, minutes: number, zone: IANAZone): DateTime {
  const date = day.plus({ days: Math.floor(minutes / MINUTES_PER_DAY) });
  const wanted = minutes % MINUTES_PER_DAY;
  const local = DateTime.fromObject(
    { year: date.year, month: date.month, day: date.day, hour: Math.floor(wanted / 60), minute: wanted % 60 },
    { zone },
  );
  const shown = local.hour * 60 + local.minute;
  if (local.day === date.day && shown === wanted) {
    // A repeated time of a fall-back night: its first occurrence.
    return DateTime.min(...local.getPossibleOffsets()) ?? local;
  }
  // A skipped time: luxon moved it forward by the gap; the clock passes it at the jump itself.
  const gapMinutes = local.offset - zone.offset(local.toMillis() - MINUTES_PER_DAY * 60_000);
  const jump = offsetChange(zone, local.toMillis() - Math.abs(gapMinutes) * 60_000, local.toMillis());
  return DateTime.fromMillis(jump, { zone });
}

function intervalOpeningOn(
  window: MaintenanceWindow,
  day: DateTime,
  zone: IANAZone,
): WindowInterval | undefined {
  if (!window.days.includes(WEEKDAYS[day.weekday - 1] as Weekday)) return undefined;
  const start = clockMinutes(window.start) ?? 0;
  const end = clockMinutes(window.end, true) ?? MINUTES_PER_DAY;
  const opensAt = firstInstantAt(day, start, zone);
  const closesAt = firstInstantAt(day, end > start ? end : end + MINUTES_PER_DAY, zone);
  return closesAt > opensAt ? { opensAt: opensAt.toJSDate(), closesAt: closesAt.toJSDate() } : undefined;
}

/** How many local days ahead to look: a week, plus one for a skipped opening. */
const DAYS_AHEAD = 8;

/** The interval containing `now`, or else the next one to open. */
export function windowInterval(window: MaintenanceWindow, now: Date): WindowInterval {
  const zone = IANAZone.create(window.timeZone);
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  for (let offset = -1; offset <= DAYS_AHEAD; offset++) {
    const interval = intervalOpeningOn(window, today.plus({ days: offset }), zone);
    if (interval && interval.closesAt > now) return interval;
  }
  throw new Error(`window ${JSON.stringify(window)} does not open within ${DAYS_AHEAD} days`);
}

export function isOpen(window: MaintenanceWindow, now: Date): boolean {
  return windowInterval(window, now).opensAt <= now;
}

/** `now` itself while the window is open, else the instant it next opens. */
export function nextOpening(window: MaintenanceWindow, now: Date): Date {
  const { opensAt } = windowInterval(window, now);
  return opensAt <= now ? now : opensAt;
}
