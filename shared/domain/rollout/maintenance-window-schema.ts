/**
 * A maintenance window as requests, policies and stored batches hold it, and its validation
 * (when it opens and closes is maintenance-window.ts's). Apart from those computations so that
 * what validates a window (the configuration every function loads) carries no date library.
 */
import * as z from 'zod';

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface MaintenanceWindow {
  days: Weekday[];
  start: string;
  end: string;
  timeZone: string;
}

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
export const MINUTES_PER_DAY = 24 * 60;

/** Minutes after local midnight of "HH:mm" ("24:00" allowed when `endOfDay`), or undefined. */
export function clockMinutes(text: string, endOfDay = false): number | undefined {
  if (endOfDay && text === '24:00') return MINUTES_PER_DAY;
  const match = CLOCK.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Whether the runtime knows `zone` as an IANA time zone (what luxon's IANAZone.isValidZone asks). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone !== '';
  } catch {
    return false;
  }
}

const clock = (endOfDay: boolean) =>
  z.string().refine((text) => clockMinutes(text, endOfDay) !== undefined, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a time of day "HH:mm" (00:00 to ${endOfDay ? '24:00' : '23:59'})`,
  });

export const maintenanceWindowSchema = z
  .strictObject({
    days: z
      .array(
        z.enum(WEEKDAYS, {
          error: (issue) => `${JSON.stringify(issue.input)} is not a day (use ${WEEKDAYS.join(', ')})`,
        }),
      )
      .min(1, { error: 'must list at least one day' })
      .transform((days) => WEEKDAYS.filter((day) => days.includes(day))),
    start: clock(false),
    end: clock(true),
    timeZone: z.string().refine(isTimeZone, {
      error: (issue) => `${JSON.stringify(issue.input)} is not an IANA time zone (e.g. Europe/Berlin, UTC)`,
    }),
  })
  .refine((window) => window.start !== window.end && !(window.start === '00:00' && window.end === '24:00'), {
    path: ['end'],
    error: 'must differ from start (a window open all day is no window: leave `window` out)',
  });
