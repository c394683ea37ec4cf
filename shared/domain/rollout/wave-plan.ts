/**
 * Wave planning: which clusters a batch takes and in which waves.
 *
 * - Order: an explicit `clusters` list keeps the order it was given in; clusters a selector
 *   picks are taken in name order. Every wave lists its clusters in that batch order.
 * - Canary: the first wave, `canary` clusters (a share of the whole batch), those labelled
 *   `redis-upgrader/canary=true` first (and started first).
 * - Then waves by `waveSize` (a share of the whole batch: 25% of 24 clusters is waves of 6,
 *   after a canary of 1 that is 6, 6, 6, 5), or one wave per selector in `waves`, each cluster
 *   in the first wave whose selector it matches (a cluster matching none is an error naming
 *   it; a selector matching nothing makes no wave), or else one wave of all the rest.
 * - Each wave runs at most `maxConcurrency` jobs at once, a share of that wave (default all).
 *   Shares round up and are at least 1 (#domain/rollout/quantity.ts).
 */
import { ValidationError } from '#domain/errors.ts';
import type { BatchRequest, Strategy } from './batch-request.ts';
import { CANARY_LABEL } from './batch-request.ts';
import { type Labels, matchesSelector } from './label-selector.ts';
import { selectorText } from './label-selector-text.ts';
import { resolveSize } from './quantity.ts';
import { nameList } from './reason-text.ts';

export interface FleetCluster {
  name: string;
  labels: Labels;
}

export const WAVE_KINDS = ['canary', 'wave', 'retry'] as const;
export type WaveKind = (typeof WAVE_KINDS)[number];

export interface PlannedWave {
  kind: WaveKind;
  /** In words, for boards and events: `canary`, `wave 2`, `env=prod`, `unreachable retries`. */
  label: string;
  clusters: string[];
  maxConcurrency: number;
}

export interface ClusterSelection {
  /** The batch's clusters in batch order. */
  clusters: FleetCluster[];
  /** Names the request lists that the fleet does not have (a 404 naming them). */
  unknown: string[];
}

const byName = (a: FleetCluster, b: FleetCluster) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function selectClusters(
  request: Pick<BatchRequest, 'clusters' | 'selector'>,
  fleet: readonly FleetCluster[],
): ClusterSelection {
  if (request.clusters) {
    const known = new Map(fleet.map((cluster) => [cluster.name, cluster]));
    return {
      clusters: request.clusters.flatMap((name) => known.get(name) ?? []),
      unknown: request.clusters.filter((name) => !known.has(name)),
    };
  }
  const selector = request.selector ?? {};
  return { clusters: fleet.filter((c) => matchesSelector(selector, c.labels)).sort(byName), unknown: [] };
}

/** `max` clusters of `clusters`, those labelled as canaries first, in batch order otherwise. */
function pickCanaries(clusters: readonly FleetCluster[], max: number): string[] {
  const labelled = clusters.filter((c) => c.labels?.[CANARY_LABEL] === 'true');
  const others = clusters.filter((c) => c.labels?.[CANARY_LABEL] !== 'true');
  return [...labelled, ...others].slice(0, max).map((c) => c.name);
}

function chunks(names: readonly string[], size: number): string[][] {
  const result: string[][] = [];
  for (let i = 0; i < names.length; i += size) result.push(names.slice(i, i + size));
  return result;
}

function selectorWaves(
  rest: readonly FleetCluster[],
  selectors: NonNullable<Strategy['waves']>,
): { label: string; clusters: string[] }[] {
  const groups = selectors.map((selector) => ({
    label: selectorText(selector) || 'every cluster',
    clusters: [] as string[],
  }));
  const unmatched: string[] = [];
  for (const cluster of rest) {
    const index = selectors.findIndex((selector) => matchesSelector(selector, cluster.labels));
    if (index < 0) unmatched.push(cluster.name);
    else groups[index]?.clusters.push(cluster.name);
  }
  if (unmatched.length > 0) {
    throw new ValidationError(
      `strategy.waves: ${nameList(unmatched)} ${unmatched.length === 1 ? 'matches' : 'match'} no wave selector; add a selector that takes ${unmatched.length === 1 ? 'it' : 'them'} (an empty selector {} takes every remaining cluster)`,
      { details: { unmatched } },
    );
  }
  return groups.filter((group) => group.clusters.length > 0);
}

/** The waves of a batch, canary first; a batch of no clusters is refused. */
export function planWaves(clusters: readonly FleetCluster[], strategy: Strategy): PlannedWave[] {
  if (clusters.length === 0) throw new ValidationError('the batch selects no cluster');
  const total = clusters.length;
  const canaries =
    strategy.canary === undefined ? [] : pickCanaries(clusters, resolveSize(strategy.canary, total));
  const taken = new Set(canaries);
  const rest = clusters.filter((cluster) => !taken.has(cluster.name));
  const firstNumber = canaries.length > 0 ? 2 : 1;
  const groups = strategy.waves
    ? selectorWaves(rest, strategy.waves)
    : chunks(
        rest.map((cluster) => cluster.name),
        strategy.waveSize === undefined ? total : resolveSize(strategy.waveSize, total),
      ).map((wave, index) => ({ label: `wave ${index + firstNumber}`, clusters: wave }));
  const waves = [
    ...(canaries.length > 0 ? [{ kind: 'canary' as const, label: 'canary', clusters: canaries }] : []),
    ...groups.map((group) => ({ kind: 'wave' as const, ...group })),
  ];
  return waves.map((wave) => ({ ...wave, maxConcurrency: waveConcurrency(strategy, wave.clusters.length) }));
}

/** The most jobs a wave of `size` clusters runs at once. */
export function waveConcurrency(strategy: Pick<Strategy, 'maxConcurrency'>, size: number): number {
  return resolveSize(strategy.maxConcurrency ?? '100%', size);
}
