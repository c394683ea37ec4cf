/**
 * A number of clusters given as a count (`3`, or `"3"` from a command line) or as a share of some
 * total (`"25%"`). Two roundings, each in the cautious direction for what it sizes:
 *
 * - sizes (canary, wave size, concurrency) round UP and are at least 1, so `"10%"` of 4
 *   clusters is 1 and a percentage never yields an empty wave;
 * - a failure budget rounds DOWN, so `"10%"` of 24 clusters tolerates 2 failures, not 3.
 */
import * as z from 'zod';

export type Quantity = number | `${number}%`;

const PERCENT = /^(\d+)%$/;
const COUNT = /^\d+$/;

/** A whole percentage ("1%" to "100%") or a whole count; `minimum` is the smallest count accepted. */
export function quantitySchema(minimum: 0 | 1) {
  const countMessage = `must be a whole number >= ${minimum} or a percentage such as "25%"`;
  return z.union([z.number(), z.string()], { error: countMessage }).transform((input, ctx): Quantity => {
    const text = typeof input === 'string' ? input.trim() : undefined;
    const percent = text === undefined ? null : PERCENT.exec(text);
    if (percent) {
      const value = Number(percent[1]);
      if (value >= 1 && value <= 100) return `${value}%`;
      ctx.addIssue({ code: 'custom', message: `${input} is not a whole percentage from 1% to 100%` });
      return z.NEVER;
    }
    const count = text === undefined ? input : COUNT.test(text) ? Number(text) : Number.NaN;
    if (typeof count === 'number' && Number.isSafeInteger(count) && count >= minimum) return count;
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(input)} ${countMessage}` });
    return z.NEVER;
  });
}

/** Whole percentages of whole totals: the quotient is exact whenever it is a whole number. */
function share(quantity: Quantity, total: number): number {
  return typeof quantity === 'number' ? quantity : (Number.parseInt(quantity, 10) * total) / 100;
}

/** A size out of `total` clusters: rounded up, at least 1, at most `total`. 0 for an empty total. */
export function resolveSize(quantity: Quantity, total: number): number {
  if (total <= 0) return 0;
  return Math.min(total, Math.max(1, Math.ceil(share(quantity, total))));
}

/** A tolerance out of `total` clusters: rounded down, at most `total`. */
export function resolveTolerance(quantity: Quantity, total: number): number {
  return Math.min(total, Math.floor(share(quantity, total)));
}
