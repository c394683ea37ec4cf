import { describe, expect, it } from 'vitest';
import type { Catalog } from '#domain/catalog.ts';
import { PlanError, type PlanErrorCode } from '#domain/errors.ts';
import { type PlanOptions, planUpgrade } from '#domain/planner.ts';
import { catalogOf, fleetCatalog } from '#test/domain/catalog-fixtures.ts';

interface PlanCase {
  name: string;
  catalog?: Catalog;
  from: string;
  to: string;
  options?: PlanOptions;
  /** Each hop as `to kind`. */
  hops: string[];
}

const planCases: PlanCase[] = [
  { name: 'patch within a minor', from: '4.1.0', to: '4.1.1', hops: ['4.1.1 patch'] },
  {
    name: 'any minor to a newer minor of the same major, directly',
    from: '4.0.2',
    to: '4.2.1',
    hops: ['4.2.1 minor'],
  },
  {
    name: 'earliest-minor: a major hop lands on 4.0.z (the newest of them), then goes on',
    from: '3.16.2',
    to: '4.2.1',
    hops: ['4.0.3 major', '4.2.1 minor'],
  },
  {
    name: 'policy any: straight to the target of the next major',
    catalog: { ...fleetCatalog, majorUpgrade: 'any' },
    from: '3.16.2',
    to: '4.2.1',
    hops: ['4.2.1 major'],
  },
  {
    name: 'two majors; 5.0.x is tested only from 4.1+, and the tie goes to the newest 4.x',
    from: '3.16.2',
    to: '5.1.0',
    hops: ['4.0.3 major', '4.2.1 minor', '5.0.2 major', '5.1.0 minor'],
  },
  {
    name: 'a from range forces an extra hop inside the source major',
    catalog: catalogOf(['3.14.1', '3.16.0', '3.18.2', { version: '4.0.3', from: '>=3.16.0' }, '4.1.0']),
    from: '3.14.1',
    to: '4.1.0',
    hops: ['3.18.2 minor', '4.0.3 major', '4.1.0 minor'],
  },
  {
    name: 'platform ranges cut 4.0.x, so the earliest 4.x minor this cluster may take is 4.1 (4.1.0 is blocked)',
    from: '3.16.2',
    to: '5.1.0',
    options: { platform: '4.2.0' },
    hops: ['4.1.1 major', '5.0.2 major', '5.1.0 minor'],
  },
  {
    name: 'a blocked intermediate is routed around (4.1.0 -> 4.1.1)',
    catalog: catalogOf([
      '4.0.3',
      { version: '4.1.0', blocked: 'withdrawn' },
      '4.1.1',
      { version: '5.0.0', from: '>=4.1.0' },
    ]),
    from: '4.0.3',
    to: '5.0.0',
    hops: ['4.1.1 minor', '5.0.0 major'],
  },
  {
    name: 'a pre-release is never an intermediate: 5.1.0-rc.1 does not count as 5.1',
    catalog: catalogOf(['5.0.0', '5.1.0-rc.1', '5.1.0', '5.2.0']),
    from: '5.0.0',
    to: '5.2.0',
    hops: ['5.2.0 minor'],
  },
  {
    name: 'a pre-release target with includePrerelease',
    from: '5.1.0',
    to: '5.2.0-rc.1',
    options: { includePrerelease: true },
    hops: ['5.2.0-rc.1 minor'],
  },
  {
    name: 'from ranges that each admit only the previous release walk every version',
    catalog: catalogOf([
      '4.0.0',
      { version: '4.0.1', from: '4.0.0' },
      { version: '4.0.2', from: '=4.0.1' },
      { version: '4.0.3', from: '4.0.2' },
    ]),
    from: '4.0.0',
    to: '4.0.3',
    hops: ['4.0.1 patch', '4.0.2 patch', '4.0.3 patch'],
  },
  {
    name: 'a from range that is a union admits both sides of its gap, and nothing in it',
    catalog: catalogOf(['4.0.0', '4.1.0', '4.2.0', { version: '4.3.0', from: '<4.1.0 || >=4.2.0' }]),
    from: '4.1.0',
    to: '4.3.0',
    hops: ['4.2.0 minor', '4.3.0 minor'],
  },
  { name: 'equal versions: zero hops', from: '4.0.3', to: '4.0.3', hops: [] },
  { name: 'equal versions are compared as versions (v prefix)', from: 'v4.0.3', to: '4.0.3', hops: [] },
  { name: 'from need not be in the catalog', from: '3.17.5', to: '3.18.2', hops: ['3.18.2 minor'] },
];

interface ErrorCase {
  name: string;
  catalog?: Catalog;
  from: string;
  to: string;
  options?: PlanOptions;
  code: PlanErrorCode;
  /** Fragments the message must contain: what went wrong and what to do next. */
  says: string[];
}

const errorCases: ErrorCase[] = [
  {
    name: 'malformed from',
    from: 'banana',
    to: '4.0.3',
    code: 'INVALID_VERSION',
    says: ['from "banana"', 'e.g. 4.1.1'],
  },
  { name: 'malformed to', from: '4.0.3', to: '4.x', code: 'INVALID_VERSION', says: ['to "4.x"'] },
  {
    name: 'malformed platform',
    from: '4.0.3',
    to: '4.2.1',
    options: { platform: '4.1' },
    code: 'INVALID_VERSION',
    says: ['platform "4.1"'],
  },
  {
    name: 'target not in the catalog',
    from: '4.0.3',
    to: '4.3.0',
    code: 'UNKNOWN_VERSION',
    says: ['4.3.0 is not in the catalog', '4.0.1, 4.0.3, 4.1.0, 4.1.1, 4.2.1', 'add 4.3.0 to the catalog'],
  },
  {
    name: 'downgrade',
    from: '4.2.1',
    to: '4.0.3',
    code: 'DOWNGRADE',
    says: [
      'older than the installed 4.2.1',
      'choose a target newer than 4.2.1',
      'newest in the catalog: 5.1.0',
    ],
  },
  {
    name: 'blocked target: quotes the reason, names the nearest unblocked alternative',
    from: '3.16.2',
    to: '4.1.0',
    code: 'BLOCKED_VERSION',
    says: ['"CVE-2025-49844: withdrawn, use 4.1.1"', 'choose 4.1.1 instead'],
  },
  {
    name: 'target outside the platform: names the ACP range it needs and a reachable alternative',
    from: '3.16.2',
    to: '5.1.0',
    options: { platform: '4.1.0' },
    code: 'PLATFORM_UNSUPPORTED',
    says: ['needs ACP >=4.2.0 <4.5.0', 'runs ACP 4.1.0', 'choose 5.0.2'],
  },
  {
    name: 'pre-release target without includePrerelease',
    from: '5.0.0',
    to: '5.2.0-rc.1',
    code: 'NO_PATH',
    says: ['is a pre-release', '--include-prerelease', 'such as 5.1.0'],
  },
  {
    name: 'no path: the from range of the only way into the next major',
    catalog: catalogOf(['4.0.0', { version: '5.0.0', from: '>=4.1.0' }]),
    from: '3.9.0',
    to: '5.0.0',
    code: 'NO_PATH',
    says: ['cut by tested-source ranges', '5.0.0 is only tested from >=4.1.0, not 4.0.0', 'ask the vendor'],
  },
  {
    name: 'no path: platform ranges cut every 4.x',
    catalog: catalogOf([{ version: '4.0.0', platform: '>=3.0.0 <3.2.0' }, '5.0.0']),
    from: '3.9.0',
    to: '5.0.0',
    options: { platform: '3.5.0' },
    code: 'NO_PATH',
    says: ['cut by ACP platform ranges', '4.0.0 needs ACP >=3.0.0 <3.2.0', 'ACP platform (now 3.5.0)'],
  },
  {
    name: 'no path: the only 4.x is blocked',
    catalog: catalogOf([{ version: '4.0.0', blocked: 'CVE-1' }, '5.0.0']),
    from: '3.9.0',
    to: '5.0.0',
    code: 'NO_PATH',
    says: ['cut by blocked versions', '4.0.0 is blocked ("CVE-1")', 'wait for a fixed release'],
  },
  {
    name: 'no path: 5.1.0 is tested only from 4.x, and earliest-minor forbids 4.x -> 5.1 (either rule cuts it)',
    catalog: catalogOf(['4.2.0', '5.0.0', { version: '5.1.0', from: '<5.0.0' }]),
    from: '4.2.0',
    to: '5.1.0',
    code: 'NO_PATH',
    says: [
      '5.1.0 is only tested from <5.0.0, not 5.0.0',
      'or by the earliest-minor rule for major hops (4.2.0 -> 5.1.0 skips 5.0, the earliest 5.x minor)',
      'majorUpgrade to "any"',
    ],
  },
  {
    name: 'no path: only a pre-release bridges to the target',
    catalog: catalogOf(['5.0.0-rc.1', { version: '5.0.0', from: '>=5.0.0-rc.1' }]),
    from: '4.2.0',
    to: '5.0.0',
    code: 'NO_PATH',
    says: [
      'pre-releases are never intermediate hops',
      '5.0.0-rc.1 is a pre-release',
      'wait for the final release',
    ],
  },
  {
    name: 'no path: a missing major cannot be jumped',
    catalog: catalogOf(['3.0.0', '5.0.0']),
    from: '3.0.0',
    to: '5.0.0',
    code: 'NO_PATH',
    says: ['has no 4.x release', 'a hop crosses at most one major'],
  },
];

function capture(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected planUpgrade to throw');
}

describe('planUpgrade', () => {
  it.each(planCases)('$name: $from -> $to', ({ catalog = fleetCatalog, from, to, options, hops }) => {
    // Act
    const plan = planUpgrade(catalog, from, to, options);

    // Assess
    expect(plan.hops.map((hop) => `${hop.to} ${hop.kind}`)).toEqual(hops);
    plan.hops.forEach((hop, index) => {
      expect(hop.from).toBe(index === 0 ? plan.from : plan.hops[index - 1]?.to);
    });
  });

  it.each(errorCases)('$code: $name', ({ catalog = fleetCatalog, from, to, options, code, says }) => {
    // Act
    const error = capture(() => planUpgrade(catalog, from, to, options));

    // Assess
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).code).toBe(code);
    for (const fragment of says) expect((error as PlanError).message).toContain(fragment);
  });

  it('copies CSV, channel and artifact of each target into its hop', () => {
    // Act
    const plan = planUpgrade(fleetCatalog, '4.2.1', '5.1.0', { platform: '4.2.0' });

    // Assess
    expect(plan).toEqual({
      from: '4.2.1',
      to: '5.1.0',
      platform: '4.2.0',
      hops: [
        expect.objectContaining({ to: '5.0.2', csv: 'redis-operator.v5.0.2', channel: 'stable-v5' }),
        {
          from: '5.0.2',
          to: '5.1.0',
          kind: 'minor',
          csv: 'redis-operator.v5.1.0',
          channel: 'stable-v5',
          artifact: {
            url: 'https://packages.example.invalid/redis-operator.stable-v5.ALL.v5.1.0.tgz',
            sha256: 'a'.repeat(64),
            size: 1024,
          },
        },
      ],
    });
  });

  it('does not depend on the order of the catalog', () => {
    // Prepare
    const reversed = { ...fleetCatalog, versions: [...fleetCatalog.versions].reverse() };

    // Act
    const plans = [fleetCatalog, reversed].map((catalog) => planUpgrade(catalog, '3.14.1', '5.1.0'));

    // Assess
    expect(plans[1]).toEqual(plans[0]);
  });

  it('explains NO_PATH in details: which rules, on which hops', () => {
    // Act
    const error = capture(() =>
      planUpgrade(catalogOf(['4.0.0', { version: '5.0.0', from: '>=4.1.0' }]), '3.9.0', '5.0.0'),
    ) as PlanError;

    // Assess
    expect(error.details).toMatchObject({
      cuts: [{ rules: ['from'], violations: [{ rule: 'from', from: '4.0.0', to: '5.0.0' }] }],
    });
  });
});
