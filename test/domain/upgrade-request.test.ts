import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalUpgradeRequest,
  differingFields,
  type UpgradeRequest,
  upgradeRequestFingerprint,
} from '#domain/upgrade-request.ts';

const BASE: UpgradeRequest = { cluster: 'region1', targetVersion: '4.1.2', options: {} };

describe('upgradeRequestFingerprint', () => {
  it('is the sha256 of the canonical request, in hex', () => {
    expect(upgradeRequestFingerprint(BASE)).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalUpgradeRequest(BASE)).toEqual({
      batchId: null,
      callbackUrl: null,
      cluster: 'region1',
      options: {
        includePrerelease: false,
        maxBackupAgeSeconds: null,
        skipBackupCheck: false,
        takeBackup: false,
      },
      targetVersion: '4.1.2',
    });
  });

  it.each<[string, UpgradeRequest]>([
    ['a v-prefixed version', { ...BASE, targetVersion: 'v4.1.2' }],
    [
      'options spelt out at their defaults',
      { ...BASE, options: { takeBackup: false, skipBackupCheck: false } },
    ],
    ['options in another key order', { ...BASE, options: { includePrerelease: false, takeBackup: false } }],
    ['an absent callbackUrl written as undefined', { ...BASE, callbackUrl: undefined as unknown as string }],
  ])('is the same for %s', (_name, request) => {
    expect(upgradeRequestFingerprint(request)).toBe(upgradeRequestFingerprint(BASE));
  });

  it('is the same for callback URLs the WHATWG parser equates', () => {
    const a = { ...BASE, callbackUrl: 'HTTPS://Hooks.Example:443/a/../hook' };
    const b = { ...BASE, callbackUrl: 'https://hooks.example/hook' };

    expect(upgradeRequestFingerprint(a)).toBe(upgradeRequestFingerprint(b));
  });

  it.each<[string, UpgradeRequest, string[]]>([
    ['another cluster', { ...BASE, cluster: 'region2' }, ['cluster']],
    ['another target', { ...BASE, targetVersion: '4.2.1' }, ['targetVersion']],
    ['takeBackup', { ...BASE, options: { takeBackup: true } }, ['options']],
    ['skipBackupCheck', { ...BASE, options: { skipBackupCheck: true } }, ['options']],
    ['includePrerelease', { ...BASE, options: { includePrerelease: true } }, ['options']],
    // An explicit age is the caller's; an absent one follows the server's default, which may change.
    ['an explicit backup age', { ...BASE, options: { maxBackupAgeSeconds: 86_400 } }, ['options']],
    ['a callbackUrl', { ...BASE, callbackUrl: 'https://hooks.example/x' }, ['callbackUrl']],
    ['a batch', { ...BASE, batchId: 'b-1' }, ['batchId']],
    [
      'several fields',
      { ...BASE, cluster: 'region2', callbackUrl: 'https://h.example/' },
      ['callbackUrl', 'cluster'],
    ],
  ])('differs for %s, naming what differs', (_name, request, fields) => {
    expect(upgradeRequestFingerprint(request)).not.toBe(upgradeRequestFingerprint(BASE));
    expect(differingFields(request, BASE)).toEqual(fields);
  });
});

const requests: fc.Arbitrary<UpgradeRequest> = fc.record(
  {
    cluster: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    targetVersion: fc
      .tuple(fc.nat(20), fc.nat(20), fc.nat(20))
      .map(([major, minor, patch]) => `${major}.${minor}.${patch}`),
    options: fc.record(
      {
        takeBackup: fc.boolean(),
        skipBackupCheck: fc.boolean(),
        maxBackupAgeSeconds: fc.integer({ min: 1, max: 1e6 }),
        includePrerelease: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
    callbackUrl: fc.webUrl({ validSchemes: ['http', 'https'] }),
    batchId: fc.uuid(),
  },
  { requiredKeys: ['cluster', 'targetVersion', 'options'] },
);

/** The same request written differently: v prefix, defaults spelt out, keys shuffled, URL in capitals. */
function respelt(request: UpgradeRequest, seed: number): UpgradeRequest {
  const entries = Object.entries({
    takeBackup: false,
    skipBackupCheck: false,
    includePrerelease: false,
    ...request.options,
  }).filter(([, value]) => value !== false || seed & 2);
  const options = Object.fromEntries(seed & 1 ? entries.reverse() : entries);
  const url = request.callbackUrl && new URL(request.callbackUrl);
  return {
    ...request,
    targetVersion: seed & 4 ? `v${request.targetVersion}` : request.targetVersion,
    options,
    ...(url
      ? {
          callbackUrl: `${url.protocol.toUpperCase()}//${url.host.toUpperCase()}${url.pathname}${url.search}`,
        }
      : {}),
  };
}

describe('upgradeRequestFingerprint (properties)', () => {
  it('gives every spelling of one request the same fingerprint', () => {
    fc.assert(
      fc.property(requests, fc.nat(7), (request, seed) => {
        expect(upgradeRequestFingerprint(respelt(request, seed))).toBe(upgradeRequestFingerprint(request));
      }),
    );
  });

  it('gives requests that differ in what the job does different fingerprints', () => {
    fc.assert(
      fc.property(requests, fc.option(requests), fc.nat(7), (a, other, seed) => {
        const b = other ?? respelt(a, seed);
        const differ = differingFields(a, b).length > 0;
        expect(upgradeRequestFingerprint(a) !== upgradeRequestFingerprint(b)).toBe(differ);
      }),
    );
  });
});
