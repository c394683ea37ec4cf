/**
 * The rollouts' batch store, for the functions that read batches (the API and the rollout). The
 * stages never do, so they never load the rollout's domain: its schemas, maintenance windows and
 * luxon, a sixth of a stage bundle.
 */
import type { CoreDeps } from './aws-core-deps.ts';
import { DynamoBatchStore } from './dynamo-batch-store.ts';

export function withBatches<D extends Pick<CoreDeps, 'table'>>(deps: D): D & { batches: DynamoBatchStore } {
  return Object.assign(deps, { batches: new DynamoBatchStore(deps.table) });
}
