/**
 * The command-line form of a maintenance window: `"Mon-Fri 01:00-05:00 Europe/Berlin"`. Days are
 * a comma-separated list of days and ranges (`Mon,Wed,Fri`, `Sat-Sun`, `Fri-Mon` wraps around the
 * week, `Mon-Wed,Sat`) or `daily`; day names in English, three letters or in full, any case.
 */
import { ValidationError } from '#domain/errors.ts';
import {
  type MaintenanceWindow,
  maintenanceWindowSchema,
  WEEKDAYS,
  type Weekday,
} from './maintenance-window-schema.ts';

const EXAMPLE = '"Mon-Fri 01:00-05:00 Europe/Berlin"';
const FULL_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

function dayIndex(name: string, text: string): number {
  const lower = name.toLowerCase();
  const index = FULL_NAMES.findIndex((full) => full === lower || full.slice(0, 3) === lower);
  if (index < 0) {
    throw new ValidationError(
      `window ${JSON.stringify(text)}: ${JSON.stringify(name)} is not a day (Mon..Sun)`,
    );
  }
  return index;
}

function parseDays(spec: string, text: string): Weekday[] {
  if (spec.toLowerCase() === 'daily') return [...WEEKDAYS];
  const indexes = new Set<number>();
  for (const part of spec.split(',')) {
    const [first = '', last, extra] = part.split('-');
    if (extra !== undefined)
      throw new ValidationError(`window ${JSON.stringify(text)}: bad day range ${part}`);
    const from = dayIndex(first, text);
    const to = last === undefined ? from : dayIndex(last, text);
    for (let i = from; ; i = (i + 1) % 7) {
      indexes.add(i);
      if (i === to) break;
    }
  }
  return WEEKDAYS.filter((_, index) => indexes.has(index));
}

/** Parses the CLI form; every problem is a ValidationError naming the part at fault. */
export function parseWindowText(text: string): MaintenanceWindow {
  const parts = text.trim().split(/\s+/);
  const [days = '', hours = '', timeZone, extra] = parts;
  const [start, end, more] = hours.split('-');
  if (timeZone === undefined || extra !== undefined || end === undefined || more !== undefined) {
    throw new ValidationError(
      `window ${JSON.stringify(text)} is not "DAYS HH:mm-HH:mm TIMEZONE", e.g. ${EXAMPLE}`,
    );
  }
  const parsed = maintenanceWindowSchema.safeParse({ days: parseDays(days, text), start, end, timeZone });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ValidationError(`window ${JSON.stringify(text)}: ${issue?.path.join('.')} ${issue?.message}`);
}

/** The days as the shortest list of ranges (`Mon-Fri`, `Mon,Wed`, `daily`). */
function daysText(days: readonly Weekday[]): string {
  if (days.length === WEEKDAYS.length) return 'daily';
  const runs: string[] = [];
  let index = 0;
  while (index < WEEKDAYS.length) {
    if (!days.includes(WEEKDAYS[index] as Weekday)) {
      index++;
      continue;
    }
    const first = index;
    while (index + 1 < WEEKDAYS.length && days.includes(WEEKDAYS[index + 1] as Weekday)) index++;
    runs.push(first === index ? `${WEEKDAYS[first]}` : `${WEEKDAYS[first]}-${WEEKDAYS[index]}`);
    index++;
  }
  return runs.join(',');
}

/** The window in the CLI form (`parseWindowText` reads it back). */
export function windowText(window: MaintenanceWindow): string {
  return `${daysText(window.days)} ${window.start}-${window.end} ${window.timeZone}`;
}
