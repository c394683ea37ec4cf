import type { FleetCluster } from '#domain/rollout/wave-plan.ts';

/** Clusters c00, c01, ... with the labels `labels(index)` gives. */
export function fleetOf(
  count: number,
  labels: (index: number) => Record<string, string> = () => ({}),
): FleetCluster[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `c${String(index).padStart(2, '0')}`,
    labels: labels(index),
  }));
}
