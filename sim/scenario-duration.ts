import * as z from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Seconds as a number, or a string like `500ms`, `90s`, `15m`, `2h`, `1d`; yields milliseconds. */
export const duration = z
  .union([z.number().nonnegative(), z.string().regex(DURATION, 'use e.g. 90s, 15m, 2h')])
  .transform((v) => {
    if (typeof v === 'number') return v * 1000;
    const [, amount, unit] = DURATION.exec(v) as RegExpExecArray;
    return Number(amount) * (UNIT_MS[unit as string] as number);
  });
