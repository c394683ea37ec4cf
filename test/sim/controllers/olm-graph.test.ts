/**
 * OLM's choice of an upgrade against hand-computed expectations: channel order and heads,
 * replaces / skips / olm.skipRange edges, and every way resolution fails. The first table uses
 * small graphs spelled out here; the second the vendor graph of the example packages.
 */
import { describe, expect, it } from 'vitest';
import { type PackageCatalog, resolveSubscription, sortChannel } from '#sim/controllers/olm-graph.ts';
import type { Bundle } from '#sim/packages/bundle.ts';
import { type BundleGraph, bundleOf } from '#sim/packages/example-bundles.ts';
import { exampleCatalogBundles } from '#sim/packages/example-packages.ts';

const PKG = 'op';
const csv = (version: string) => `${PKG}.v${version}`;
const bundle = (version: string, graph: Partial<BundleGraph> = {}, channel = 'stable'): Bundle =>
  bundleOf(PKG, version, channel, { skips: [], ...graph });

function catalogOf(...bundles: Bundle[]): PackageCatalog {
  const channels = new Map<string, Bundle[]>();
  for (const b of bundles) for (const c of b.channels) channels.set(c, [...(channels.get(c) ?? []), b]);
  return {
    defaultChannel: 'stable',
    channels: [...channels].map(([name, list]) => ({ name, bundles: list })),
  };
}

function resolved(catalog: PackageCatalog | undefined, installed: string | undefined, channel = 'stable') {
  const result = resolveSubscription({
    subscription: 'op',
    pkg: PKG,
    channel,
    catalog,
    installed: installed ? { name: csv(installed), version: installed } : undefined,
  });
  if (result.kind === 'upgrade') return result.bundle.csv;
  if (result.kind === 'none') return 'none';
  return `${result.reason}: ${result.message}`;
}

describe('sortChannel: the replacement chain, head first', () => {
  it('follows replaces from the one bundle nothing replaces', () => {
    // Prepare
    const chain = [
      bundle('1.0.0'),
      bundle('1.1.0', { replaces: csv('1.0.0') }),
      bundle('1.2.0', { replaces: csv('1.1.0') }),
    ];

    // Act
    const sorted = sortChannel(PKG, 'stable', [...chain].reverse());

    // Assess
    expect(sorted.map((b) => b.csv)).toEqual([csv('1.2.0'), csv('1.1.0'), csv('1.0.0')]);
  });

  it('leaves skipped bundles out of the chain', () => {
    const sorted = sortChannel(PKG, 'stable', [
      bundle('1.0.0'),
      bundle('1.0.1', { replaces: csv('1.0.0') }),
      bundle('1.0.2', { replaces: csv('1.0.0'), skips: [csv('1.0.1')] }),
    ]);
    expect(sorted.map((b) => b.csv)).toEqual([csv('1.0.2'), csv('1.0.0')]);
  });

  it.each([
    [
      'two heads (a replaces edge to a bundle the catalog lacks)',
      [bundle('1.0.0'), bundle('1.2.0', { replaces: csv('1.1.0') })],
      'a unique replacement chain within a channel is required to determine the relative order between channel entries, but 2 replacement chains were found in channel "stable" of package "op": op.v1.0.0, op.v1.2.0',
    ],
    [
      'no head',
      [bundle('1.0.0', { replaces: csv('1.1.0') }), bundle('1.1.0', { replaces: csv('1.0.0') })],
      'no channel heads (entries not replaced by another entry) found in channel "stable" of package "op"',
    ],
  ])('refuses %s with OLM’s message', (_label, bundles, message) => {
    expect(() => sortChannel(PKG, 'stable', bundles)).toThrow(message);
  });
});

describe('resolveSubscription: which bundle OLM installs next', () => {
  const v100 = bundle('1.0.0');
  const v101 = bundle('1.0.1', { replaces: csv('1.0.0') });
  const v110 = bundle('1.1.0', { replaces: csv('1.0.1'), skipRange: '>=1.0.0 <1.1.0' });
  const v120 = bundle('1.2.0', { replaces: csv('1.1.0') });

  it.each([
    ['the next bundle by replaces', catalogOf(v100, v101), '1.0.0', csv('1.0.1')],
    ['nothing newer: no upgrade, no error', catalogOf(v100, v101), '1.0.1', 'none'],
    [
      'the head when its skipRange includes the installed version',
      catalogOf(v100, v101, v110),
      '1.0.0',
      csv('1.1.0'),
    ],
    [
      'one step when the head’s only edge is replaces',
      catalogOf(v100, v101, v110, v120),
      '1.0.1',
      csv('1.1.0'),
    ],
    [
      'the bundle nearest the head among several candidates',
      catalogOf(v100, v101, v110, v120),
      '1.0.0',
      csv('1.1.0'),
    ],
    [
      'a skips edge over a withdrawn bundle',
      catalogOf(v100, v101, bundle('1.0.2', { replaces: csv('1.0.0'), skips: [csv('1.0.1')] })),
      '1.0.1',
      csv('1.0.2'),
    ],
    [
      'no bundle replacing the installed one: stays, without ResolutionFailed',
      catalogOf(bundle('2.0.0', { skipRange: '>=1.5.0 <2.0.0' })),
      '1.0.0',
      'none',
    ],
    [
      'a skipRange alone, without replaces, over an empty chain',
      catalogOf(bundle('2.0.0', { skipRange: '>=1.0.0 <2.0.0' })),
      '1.0.1',
      csv('2.0.0'),
    ],
  ])('%s', (_label, catalog, installed, expected) => {
    expect(resolved(catalog, installed)).toBe(expected);
  });

  it.each([
    [
      'a package the catalog lacks',
      undefined,
      'stable',
      'ConstraintsNotSatisfiable: constraints not satisfiable: subscription op exists, no operators found in package op in the catalog referenced by subscription op',
    ],
    [
      'a channel the catalog lacks',
      catalogOf(v100),
      'fast',
      'ConstraintsNotSatisfiable: constraints not satisfiable: subscription op exists, no operators found in channel fast of package op in the catalog referenced by subscription op',
    ],
    [
      'a channel with two replacement chains',
      catalogOf(v100, v120),
      'stable',
      'ErrorPreventedResolution: a unique replacement chain within a channel is required to determine the relative order between channel entries, but 2 replacement chains were found in channel "stable" of package "op": op.v1.0.0, op.v1.2.0',
    ],
  ])('fails on %s', (_label, catalog, channel, expected) => {
    expect(resolved(catalog, '1.0.0', channel)).toBe(expected);
  });

  it('installs the channel head when nothing is installed', () => {
    expect(resolved(catalogOf(v100, v101, v110), undefined)).toBe(csv('1.1.0'));
  });
});

describe('the vendor graph of the example packages', () => {
  const bundles = exampleCatalogBundles();
  const get = (version: string) => bundles.get(`redis-operator.v${version}`) as Bundle;
  const catalog = (...versions: string[]) => {
    const list = versions.map(get);
    const channels = new Map<string, Bundle[]>();
    for (const b of list) for (const c of b.channels) channels.set(c, [...(channels.get(c) ?? []), b]);
    return { defaultChannel: 'stable', channels: [...channels].map(([name, l]) => ({ name, bundles: l })) };
  };
  const next = (installed: string, channel: string, ...versions: string[]) => {
    const result = resolveSubscription({
      subscription: 'redis-operator',
      pkg: 'redis-operator',
      channel,
      catalog: catalog(installed, ...versions),
      installed: { name: `redis-operator.v${installed}`, version: installed },
    });
    return result.kind === 'upgrade' ? result.bundle.version : result.kind;
  };

  it('writes replaces, skips and olm.skipRange as the upgrade guide reads', () => {
    expect(get('4.1.2')).toMatchObject({
      replaces: 'redis-operator.v4.1.1',
      skips: [
        'redis-operator.v4.0.1',
        'redis-operator.v4.0.2',
        'redis-operator.v4.0.3',
        'redis-operator.v4.1.0',
      ],
      skipRange: '>=4.0.0 <4.1.2',
      channels: ['stable'],
      defaultChannel: 'stable',
    });
    expect(get('4.1.1')).toMatchObject({
      replaces: 'redis-operator.v4.0.3',
      skips: ['redis-operator.v4.0.1', 'redis-operator.v4.0.2', 'redis-operator.v4.1.0'],
    });
    expect(get('4.0.1')).toMatchObject({ replaces: 'redis-operator.v3.18.2', skipRange: '>=3.14.0 <4.0.1' });
    expect(get('5.0.0')).toMatchObject({
      replaces: undefined,
      skipRange: '>=4.1.0 <5.0.0',
      channels: ['stable-v5'],
    });
    expect(get('5.0.2').skipRange).toBe('>=4.0.0 <5.0.2');
    expect(get('3.14.0')).toMatchObject({ replaces: undefined, skips: [], skipRange: '>=3.8.0 <3.14.0' });
  });

  it.each([
    ['a patch upload', '4.1.1', 'stable', ['4.1.2'], '4.1.2'],
    ['past a withdrawn release', '4.0.3', 'stable', ['4.1.0', '4.1.1'], '4.1.1'],
    ['a minor upload, skipping the releases between', '4.0.3', 'stable', ['4.2.1'], '4.2.1'],
    ['the earliest minor of the next major', '3.16.2', 'stable', ['4.0.3'], '4.0.3'],
    ['the head over an older upload that also has an edge', '4.0.3', 'stable', ['4.1.1', '4.1.2'], '4.1.2'],
    ['a later minor of the next major: no edge', '3.16.2', 'stable', ['4.1.2'], 'failed'],
    ['the next major on its own channel', '4.1.2', 'stable-v5', ['5.0.2'], '5.0.2'],
    ['the next major from below its from range', '4.0.3', 'stable-v5', ['5.0.0'], 'none'],
  ])('%s: %s on %s with %j -> %s', (_label, installed, channel, versions, expected) => {
    expect(next(installed, channel, ...versions)).toBe(expected);
  });
});
