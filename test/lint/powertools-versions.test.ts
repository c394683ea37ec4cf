/**
 * Powertools packages depend on their commons package at exactly their own version, so one of
 * them on another version nests a second copy of @aws-lambda-powertools/commons, and every Lambda
 * bundle carries both. Bump them together (package.json pins each exactly).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Lockfile {
  packages: Record<string, { version?: string }>;
}

describe('Powertools versions', () => {
  it('lock one version of every Powertools package, and one commons', () => {
    // Prepare
    const lock: Lockfile = JSON.parse(
      readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'),
    );

    // Act
    const powertools = Object.entries(lock.packages).filter(([path]) =>
      path.includes('node_modules/@aws-lambda-powertools/'),
    );

    // Assess
    expect(powertools.filter(([path]) => path.endsWith('/commons')).map(([path]) => path)).toEqual([
      'node_modules/@aws-lambda-powertools/commons',
    ]);
    expect(new Set(powertools.map(([, entry]) => entry.version)).size).toBe(1);
  });
});
