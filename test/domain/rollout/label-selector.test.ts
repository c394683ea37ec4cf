import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#domain/errors.ts';
import {
  type LabelSelector,
  labelSelectorSchema,
  matchesAll,
  matchesSelector,
  SELECTOR_OPERATORS,
} from '#domain/rollout/label-selector.ts';
import { parseSelectorText, selectorFromText, selectorText } from '#domain/rollout/label-selector-text.ts';

const prod = { env: 'prod', tier: 'a', legacy: 'yes' };
const staging = { env: 'staging', tier: 'b' };
const bare = {};

describe('label selectors', () => {
  it.each([
    ['env=prod', [true, false, false]],
    ['env==prod', [true, false, false]],
    ['env!=prod', [false, true, true]],
    ['tier in (a,b)', [true, true, false]],
    ['tier notin (a)', [false, true, true]],
    ['legacy', [true, false, false]],
    ['!legacy', [false, true, true]],
    ['env=prod,tier in (a, b),!legacy', [false, false, false]],
    ['env in (prod,staging),!legacy', [false, true, false]],
    ['', [true, true, true]],
  ])('the string form %j matches [prod, staging, bare] as %j', (text, expected) => {
    // Prepare
    const requirements = parseSelectorText(text);
    // Act
    const matched = [prod, staging, bare].map((labels) => matchesAll(requirements, labels));
    // Assess
    expect(matched).toEqual(expected);
  });

  it('compares integers with < and > as list calls do, never matching a non-integer value', () => {
    // Prepare
    const requirements = parseSelectorText('rank>2,size<10');
    // Act / Assess
    expect(matchesAll(requirements, { rank: '3', size: '9' })).toBe(true);
    expect(matchesAll(requirements, { rank: '2', size: '9' })).toBe(false);
    expect(matchesAll(requirements, { rank: 'x', size: '9' })).toBe(false);
  });

  it.each(['env in prod', '=prod', 'env = (a)', 'a b', 'tier in (a'])(
    'refuses %j naming the requirement',
    (text) => {
      // Act / Assess
      expect(() => parseSelectorText(text)).toThrow(ValidationError);
      expect(() => parseSelectorText(text)).toThrow(/unable to parse requirement: found/);
    },
  );

  it.each<[string, LabelSelector, boolean[]]>([
    ['matchLabels', { matchLabels: { env: 'prod' } }, [true, false, false]],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, [true, true, false]],
    [
      'NotIn',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] },
      [false, true, true],
    ],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, [true, true, false]],
    [
      'DoesNotExist',
      { matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }] },
      [false, true, true],
    ],
    [
      'both, ANDed',
      { matchLabels: { tier: 'b' }, matchExpressions: [{ key: 'env', operator: 'Exists' }] },
      [false, true, false],
    ],
    ['empty: every cluster', {}, [true, true, true]],
  ])('the structured form with %s matches [prod, staging, bare] as expected', (_, selector, expected) => {
    // Act
    const matched = [prod, staging, bare].map((labels) => matchesSelector(selector, labels));
    // Assess
    expect(matched).toEqual(expected);
  });

  it('turns the CLI form into a structured selector, equalities into matchLabels', () => {
    // Act
    const selector = selectorFromText('env=prod,tier in (a,b),!legacy,env=dev');
    // Assess
    expect(selector).toEqual({
      matchLabels: { env: 'prod' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'env', operator: 'In', values: ['dev'] },
      ],
    });
  });

  it('refuses < and > in a batch selector, which has no structured form for them', () => {
    // Act / Assess
    expect(() => selectorFromText('rank>2')).toThrow("'rank > 2' has no batch selector form");
  });

  it.each([
    [
      { matchExpressions: [{ key: 'env', operator: 'In' }] },
      'matchExpressions.0.values',
      'must list at least one value for In',
    ],
    [
      { matchExpressions: [{ key: 'env', operator: 'Exists', values: ['a'] }] },
      'matchExpressions.0.values',
      'must be empty for Exists',
    ],
    [
      { matchExpressions: [{ key: 'env', operator: 'Equals', values: ['a'] }] },
      'matchExpressions.0.operator',
      '"Equals" is not a selector operator',
    ],
    [{ matchLabels: { 'bad key!': 'x' } }, 'matchLabels.bad key!', 'must be a Kubernetes label key'],
    [{ matchLabels: { env: 'not valid' } }, 'matchLabels.env', 'must be a Kubernetes label value'],
    [{ matchlabels: { env: 'prod' } }, '', 'Unrecognized key'],
  ])('validates %j naming the field', (input, path, message) => {
    // Act
    const parsed = labelSelectorSchema.safeParse(input);
    // Assess
    expect(parsed.success).toBe(false);
    const issue = parsed.error?.issues[0];
    expect(issue?.path.join('.')).toBe(path);
    expect(issue?.message).toContain(message);
  });
});

const keys = fc.constantFrom('env', 'tier', 'team', 'example.com/zone');
const values = fc.constantFrom('a', 'b', 'c', 'prod');
const labelsArb = fc.dictionary(keys, values, { maxKeys: 4 });
const expressionArb = fc.oneof(
  fc.record({
    key: keys,
    operator: fc.constantFrom('In' as const, 'NotIn' as const),
    values: fc.uniqueArray(values, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ key: keys, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
);
const selectorArb: fc.Arbitrary<LabelSelector> = fc.record(
  {
    matchLabels: fc.dictionary(keys, values, { maxKeys: 2 }),
    matchExpressions: fc.array(expressionArb, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

describe('label selector properties', () => {
  it('the string form of a structured selector selects exactly what it selects', () => {
    fc.assert(
      fc.property(selectorArb, fc.array(labelsArb, { minLength: 1, maxLength: 8 }), (selector, fleet) => {
        const text = selectorText(selector);
        const back = selectorFromText(text);
        for (const labels of fleet) {
          expect(matchesAll(parseSelectorText(text), labels)).toBe(matchesSelector(selector, labels));
          expect(matchesSelector(back, labels)).toBe(matchesSelector(selector, labels));
        }
        expect(labelSelectorSchema.safeParse(back).success).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('every operator agrees with its definition (In/NotIn by membership, Exists by presence)', () => {
    fc.assert(
      fc.property(expressionArb, labelsArb, (expression, labels) => {
        const value = labels[expression.key];
        const listed = 'values' in expression && value !== undefined && expression.values.includes(value);
        const expected = {
          In: listed,
          NotIn: !listed,
          Exists: value !== undefined,
          DoesNotExist: value === undefined,
        };
        expect(SELECTOR_OPERATORS).toContain(expression.operator);
        expect(matchesSelector({ matchExpressions: [expression] }, labels)).toBe(
          expected[expression.operator],
        );
      }),
      { numRuns: 500 },
    );
  });
});
