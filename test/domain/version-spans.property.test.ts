/**
 * Range runs over sorted versions against semver itself: for any range semver accepts and any
 * sorted list of versions, the runs hold exactly the versions `semver.satisfies` admits by order.
 */
import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ORDER, parseRange, rangeSpans, satisfiesByOrder } from '#domain/version-spans.ts';

const versionArb = fc
  .tuple(
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 2 }),
    fc.constantFrom('', '', '', '-rc.1', '-beta.2', '-0'),
  )
  .map(([major, minor, patch, pre]) => `${major}.${minor}.${patch}${pre}`);

/** Every range syntax the catalog may use: operators, x-ranges, tilde, caret, hyphen, unions, any. */
const comparatorArb = fc.oneof(
  fc
    .tuple(fc.constantFrom('', '=', '<', '<=', '>', '>=', '~', '^'), versionArb)
    .map(([op, v]) => `${op}${v}`),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', '*')).map(([major, x]) => `${major}.${x}`),
  fc.constantFrom('*', '>=0.0.0', '<0.0.0-0'),
);

/** A comparator set: a hyphen range alone, or comparators that must all hold. */
const setArb = fc.oneof(
  fc.tuple(versionArb, versionArb).map(([a, b]) => `${a} - ${b}`),
  fc.array(comparatorArb, { minLength: 1, maxLength: 3 }).map((set) => set.join(' ')),
);

const rangeArb = fc.array(setArb, { minLength: 1, maxLength: 3 }).map((sets) => sets.join(' || '));

const sortedVersionsArb = fc
  .uniqueArray(versionArb, { maxLength: 30 })
  .map((versions) => versions.sort(semver.compare).map((v) => new semver.SemVer(v)));

describe('rangeSpans', () => {
  it('covers exactly the versions semver.satisfies admits, within the given bounds', () => {
    fc.assert(
      fc.property(rangeArb, sortedVersionsArb, fc.nat(), fc.nat(), (text, versions, a, b) => {
        // Prepare
        const range = parseRange(text);
        const [first, last] = versions.length === 0 ? [0, -1] : [a % versions.length, b % versions.length];

        // Act
        const spans = rangeSpans(range, (i) => versions[i] as semver.SemVer, [first, last]);

        // Assess
        const covered = new Set(spans.flatMap(([from, to]) => versions.slice(from, to + 1)));
        const expected = versions.filter(
          (version, i) => i >= first && i <= last && semver.satisfies(version.version, text, ORDER),
        );
        expect([...covered].map(String).sort()).toEqual(expected.map(String).sort());
        for (const [from, to] of spans) expect(from).toBeLessThanOrEqual(to);
      }),
      { numRuns: 3000 },
    );
  });

  it('satisfiesByOrder agrees with semver.satisfies under includePrerelease', () => {
    fc.assert(
      fc.property(rangeArb, versionArb, (text, version) => {
        expect(satisfiesByOrder(parseRange(text), new semver.SemVer(version))).toBe(
          semver.satisfies(version, text, ORDER),
        );
      }),
      { numRuns: 3000 },
    );
  });
});
