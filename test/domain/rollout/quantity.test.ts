import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Quantity, quantitySchema, resolveSize, resolveTolerance } from '#domain/rollout/quantity.ts';

describe('counts and percentages', () => {
  it.each<[unknown, Quantity]>([
    [3, 3],
    ['3', 3],
    ['25%', '25%'],
    [' 100% ', '100%'],
  ])('reads %j as %j', (input, expected) => {
    // Act / Assess
    expect(quantitySchema(1).parse(input)).toEqual(expected);
  });

  it.each([
    [0, 1, '0 must be a whole number >= 1'],
    [-1, 0, '-1 must be a whole number >= 0'],
    [1.5, 1, '1.5 must be a whole number'],
    ['0%', 1, '0% is not a whole percentage from 1% to 100%'],
    ['101%', 1, '101% is not a whole percentage'],
    ['12.5%', 1, '"12.5%" must be a whole number >= 1 or a percentage'],
    ['many', 1, '"many" must be a whole number'],
    [true, 1, 'must be a whole number >= 1 or a percentage'],
  ] as const)('refuses %j (minimum %d) saying why', (input, minimum, message) => {
    // Act
    const parsed = quantitySchema(minimum).safeParse(input);
    // Assess
    expect(parsed.error?.issues[0]?.message).toContain(message);
  });

  it.each<[Quantity, number, number, number]>([
    // quantity, total, size (up, >= 1), tolerance (down)
    ['25%', 24, 6, 6],
    ['25%', 23, 6, 5],
    ['10%', 4, 1, 0],
    ['10%', 24, 3, 2],
    ['1%', 1, 1, 0],
    ['100%', 7, 7, 7],
    [3, 24, 3, 3],
    [30, 24, 24, 24],
    [0, 24, 1, 0],
  ])('%j of %d clusters: a size of %d, a tolerance of %d', (quantity, total, size, tolerance) => {
    // Act / Assess
    expect(resolveSize(quantity, total)).toBe(size);
    expect(resolveTolerance(quantity, total)).toBe(tolerance);
  });

  it('sizes are whole, at least 1, at most the total, and cover the share asked for', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 5000 }), (percent, total) => {
        const size = resolveSize(`${percent}%`, total);
        const tolerance = resolveTolerance(`${percent}%`, total);
        expect(Number.isInteger(size) && size >= 1 && size <= total).toBe(true);
        expect(size * 100).toBeGreaterThanOrEqual(percent * total);
        expect((size - 1) * 100).toBeLessThan(Math.max(percent * total, 100));
        expect(tolerance * 100).toBeLessThanOrEqual(percent * total);
        expect((tolerance + 1) * 100).toBeGreaterThan(percent * total);
      }),
      { numRuns: 2000 },
    );
  });
});
