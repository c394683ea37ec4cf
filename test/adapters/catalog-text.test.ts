import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseCatalog } from '#adapters/catalog-text.ts';
import { catalogData, entryData, refusal } from '#test/domain/catalog-fixtures.ts';

describe('parseCatalog', () => {
  it('parses the example catalog', () => {
    // Prepare
    const text = readFileSync(new URL('../../examples/catalog.json', import.meta.url), 'utf8');

    // Act
    const catalog = parseCatalog(text, 'examples/catalog.json');

    // Assess
    expect(catalog.package).toBe('redis-operator');
    expect(catalog.majorUpgrade).toBe('earliest-minor');
    expect(catalog.versions.map((v) => v.version)).toEqual(
      expect.arrayContaining(['3.14.0', '4.1.0', '5.1.0']),
    );
    expect(catalog.versions.find((v) => v.version === '4.1.0')?.blocked).toMatch(/CVE/);
  });

  it('reads YAML to the same catalog as JSON', () => {
    // Prepare
    const data = catalogData([
      entryData('4.0.3', { platform: '>=3.18.0 <4.2.0', from: '>=3.14.0' }),
      entryData('4.1.1'),
    ]);

    // Act
    const fromJson = parseCatalog(JSON.stringify(data), 'c.json');
    const fromYaml = parseCatalog(stringify(data), 'c.yaml');
    const sniffed = parseCatalog(stringify(data));

    // Assess
    expect(fromYaml).toEqual(fromJson);
    expect(sniffed).toEqual(fromJson);
  });

  it.each([
    {
      name: 'broken JSON',
      text: '{ "package": ',
      source: 'c.json',
      says: 'catalog c.json is not valid JSON: ',
    },
    {
      name: 'broken YAML',
      text: 'package: [redis',
      source: 'c.yaml',
      says: 'catalog c.yaml is not valid YAML: ',
    },
    { name: 'an empty file', text: '  \n', source: 'c.yaml', says: 'catalog c.yaml is empty' },
  ])('refuses $name in one line', ({ text, source, says }) => {
    // Act
    const error = refusal(() => parseCatalog(text, source));

    // Assess
    expect(error.message).toContain(says);
    expect(error.message).not.toContain('\n');
  });
});
