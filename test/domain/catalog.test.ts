import { describe, expect, it } from 'vitest';
import { validateCatalog } from '#domain/catalog.ts';
import { catalogData, entryData, HEX, refusal } from '#test/domain/catalog-fixtures.ts';

/** The data as a JSON file decodes it: a field set to undefined is absent. */
function asDecoded(data: unknown): unknown {
  return JSON.parse(JSON.stringify(data));
}

describe('validateCatalog', () => {
  it('defaults majorUpgrade to earliest-minor and lower-cases sha256', () => {
    // Prepare
    const { majorUpgrade: _omitted, ...data } = catalogData([
      entryData('4.0.3', { artifact: { url: 'https://x.invalid/a.tgz', sha256: HEX.toUpperCase() } }),
    ]);

    // Act
    const catalog = validateCatalog(data);

    // Assess
    expect(catalog.majorUpgrade).toBe('earliest-minor');
    expect(catalog.versions[0]?.artifact).toEqual({ url: 'https://x.invalid/a.tgz', sha256: HEX });
  });

  const malformed: { name: string; data: unknown; says: string }[] = [
    {
      name: 'a platform that is not a range',
      data: catalogData([
        entryData('3.0.0'),
        entryData('3.1.0'),
        entryData('3.2.0'),
        entryData('4.0.3', { platform: 'banana' }),
      ]),
      says: 'versions[3].platform: "banana" is not a semver range',
    },
    {
      name: 'an empty from range (would otherwise mean "any")',
      data: catalogData([entryData('4.0.3', { from: '' })]),
      says: 'versions[0].from: "" is not a semver range',
    },
    {
      name: 'a version that is not semver',
      data: catalogData([entryData('4.0')]),
      says: 'versions[0].version: "4.0" is not a semantic version',
    },
    {
      name: 'a non-canonical version',
      data: catalogData([entryData('v4.0.3')]),
      says: 'versions[0].version: "v4.0.3" is not a semantic version',
    },
    {
      name: 'a duplicate version',
      data: catalogData([entryData('4.0.3'), entryData('4.0.3', { csv: 'other' })]),
      says: 'versions[1].version: duplicate version "4.0.3" (already at versions[0])',
    },
    {
      name: 'a duplicate CSV',
      data: catalogData([entryData('4.0.3'), entryData('4.0.4', { csv: 'redis-operator.v4.0.3' })]),
      says: 'versions[1].csv: duplicate csv "redis-operator.v4.0.3" (already at versions[0])',
    },
    {
      name: 'a bad sha256',
      data: catalogData([
        entryData('4.0.3', { artifact: { url: 'https://x.invalid/a.tgz', sha256: 'abc' } }),
      ]),
      says: 'versions[0].artifact.sha256: "abc" is not a sha256 digest (64 hex characters) (entry 4.0.3)',
    },
    {
      name: 'an unknown majorUpgrade',
      data: catalogData([entryData('4.0.3')], { majorUpgrade: 'sometimes' }),
      says: 'majorUpgrade: "sometimes" is not a majorUpgrade policy (use "earliest-minor" or "any")',
    },
    {
      name: 'a missing csv',
      data: catalogData([{ ...entryData('4.0.3'), csv: undefined }]),
      says: 'versions[0].csv: is required (entry 4.0.3)',
    },
    {
      name: 'a missing artifact (a version without a package cannot be uploaded)',
      data: catalogData([{ ...entryData('4.0.3'), artifact: undefined }]),
      says: 'versions[0].artifact: is required',
    },
    {
      name: 'a misspelt field',
      data: catalogData([entryData('4.1.0', { blockd: 'CVE' })]),
      says: 'versions[0].blockd: unknown field (entry 4.1.0)',
    },
    { name: 'no versions', data: catalogData([]), says: 'versions: lists no versions' },
    {
      name: 'a negative size',
      data: catalogData([
        entryData('4.0.3', { artifact: { url: 'https://x.invalid/a', sha256: HEX, size: -1 } }),
      ]),
      says: 'versions[0].artifact.size: -1 is not a size in bytes',
    },
    {
      name: 'a relative artifact URL',
      data: catalogData([entryData('4.0.3', { artifact: { url: 'pkg.tgz', sha256: HEX } })]),
      says: 'versions[0].artifact.url: "pkg.tgz" is not an absolute URL',
    },
    {
      name: 'an empty blocked reason',
      data: catalogData([entryData('4.0.3', { blocked: ' ' })]),
      says: 'versions[0].blocked: must not be empty: give the reason',
    },
    {
      name: 'a wrong type',
      data: catalogData([entryData('4.0.3', { channel: 5 })]),
      says: 'must be a string, not a number',
    },
    { name: 'not an object', data: [], says: '(top level): must be an object, not an array' },
  ];

  it.each(malformed)('refuses $name', ({ data, says }) => {
    // Act
    const error = refusal(() => validateCatalog(asDecoded(data), 'bad.json'));

    // Assess
    expect(error.code).toBe('INVALID_CATALOG');
    expect(error.message).toContain('catalog bad.json is invalid: ');
    expect(error.message).toContain(says);
  });

  it('refuses as a whole and reports every issue, the first few in the message', () => {
    // Prepare
    const data = catalogData([
      entryData('1.0.0', { platform: 'banana' }),
      entryData('1.0.1', { from: 'y' }),
      entryData('1.0.2', { channel: '' }),
      entryData('1.0.3', { csv: 7 }),
      entryData('1.0.4', { extra: true }),
    ]);

    // Act
    const error = refusal(() => validateCatalog(data, 'five.yaml'));

    // Assess
    expect(error.message).toMatch(
      /^catalog five\.yaml is invalid: versions\[0\]\.platform: .*; versions\[1\]\.from: .*; versions\[2\]\.channel: .* \(and 2 more\)$/,
    );
    expect(error.details?.issues).toHaveLength(5);
  });
});
