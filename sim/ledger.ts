/**
 * The side effects an upgrader had on each simulated cluster, counted where they land, so a test
 * or a chaos run can find duplicate uploads, duplicate or wrong approvals, and clusters left on a
 * version other than their plan's:
 * - uploads: each ArtifactVersion the upload endpoint wrote (one per cluster per `violet push`),
 *   by name; pushing the same version twice counts 2, even though the second push changes nothing;
 * - approvals: each write that turned an InstallPlan's spec.approved to true, by plan name, with
 *   the CSVs the plan carried when approved (OLM creating a plan already approved, as it does for
 *   Automatic subscriptions, is no approval);
 * - installedCSV: the redis-operator Subscription's status.installedCSV when read.
 */
import { INSTALL_PLAN, SUBSCRIPTION } from '#sim/resource-types.ts';
import type { ClusterStore, StoreEvent } from '#sim/store/cluster-store.ts';

export interface PlanApprovals {
  count: number;
  /** spec.clusterServiceVersionNames at the latest approval. */
  csvs: string[];
}

export interface ClusterLedger {
  platform: string;
  installedCSV: string | null;
  /** ArtifactVersion name -> pushes. */
  uploads: Record<string, number>;
  /** InstallPlan name -> approvals. */
  approvals: Record<string, PlanApprovals>;
}

/** What survives a restart (the approved plans are read back from the cluster itself). */
export type SavedLedger = Pick<ClusterLedger, 'uploads' | 'approvals'>;

/** `GET /sim/v1/ledger`. */
export interface LedgerView {
  clusters: Record<string, ClusterLedger>;
}

interface Entry {
  platform: string;
  store: ClusterStore;
  uploads: Map<string, number>;
  approvals: Map<string, PlanApprovals>;
  /** uids of the plans stored with spec.approved true, to tell an approval from a later write. */
  approved: Set<string>;
}

interface PlanSpec {
  approved?: boolean;
  clusterServiceVersionNames?: string[];
}

/** Whether the event changed the counts. */
function planEvent(entry: Entry, event: StoreEvent): boolean {
  const { metadata } = event.object;
  const uid = metadata.uid as string; // the store gives every object one
  const spec = (event.object.spec ?? {}) as PlanSpec;
  if (event.type === 'DELETED' || spec.approved !== true) {
    entry.approved.delete(uid);
    return false;
  }
  if (entry.approved.has(uid)) return false;
  entry.approved.add(uid);
  if (event.type === 'ADDED') return false;
  const previous = entry.approvals.get(metadata.name)?.count ?? 0;
  entry.approvals.set(metadata.name, {
    count: previous + 1,
    csvs: [...(spec.clusterServiceVersionNames ?? [])],
  });
  return true;
}

export class SideEffectLedger {
  readonly #clusters = new Map<string, Entry>();
  readonly #onChange: ((cluster: string, saved: SavedLedger) => void) | undefined;

  /** `onChange` hears every change of a cluster's counts (the state dir keeps them). */
  constructor(onChange?: (cluster: string, saved: SavedLedger) => void) {
    this.#onChange = onChange;
  }

  /**
   * Starts counting a cluster's writes; call before seeding it, so seeded plans are known, or on a
   * restored store with the counts of the previous run.
   */
  track(cluster: string, platform: string, store: ClusterStore, saved?: SavedLedger): void {
    const entry: Entry = {
      platform,
      store,
      uploads: new Map(Object.entries(saved?.uploads ?? {})),
      approvals: new Map(Object.entries(saved?.approvals ?? {})),
      approved: new Set(
        store
          .list(INSTALL_PLAN)
          .filter((plan) => (plan.spec as PlanSpec | undefined)?.approved === true)
          .map((plan) => plan.metadata.uid as string),
      ),
    };
    this.#clusters.set(cluster, entry);
    store.subscribe((event) => {
      if (planEvent(entry, event)) this.#changed(cluster, entry);
    }, INSTALL_PLAN);
  }

  /** The upload endpoint wrote ArtifactVersion `name` to the cluster. */
  recordUpload(cluster: string, name: string): void {
    const entry = this.#entry(cluster);
    entry.uploads.set(name, (entry.uploads.get(name) ?? 0) + 1);
    this.#changed(cluster, entry);
  }

  #changed(cluster: string, entry: Entry): void {
    this.#onChange?.(cluster, {
      uploads: Object.fromEntries(entry.uploads),
      approvals: Object.fromEntries(entry.approvals),
    });
  }

  cluster(name: string): ClusterLedger {
    const entry = this.#entry(name);
    const subscription = entry.store.get(SUBSCRIPTION, 'redis-system', 'redis-operator');
    const installed = (subscription?.status as { installedCSV?: string } | undefined)?.installedCSV;
    return {
      platform: entry.platform,
      installedCSV: installed ?? null,
      uploads: Object.fromEntries(entry.uploads),
      approvals: Object.fromEntries(
        [...entry.approvals].map(([plan, a]) => [plan, { ...a, csvs: [...a.csvs] }]),
      ),
    };
  }

  view(): LedgerView {
    return {
      clusters: Object.fromEntries([...this.#clusters.keys()].map((name) => [name, this.cluster(name)])),
    };
  }

  #entry(name: string): Entry {
    const entry = this.#clusters.get(name);
    if (!entry) throw new Error(`the ledger does not track cluster ${name}`);
    return entry;
  }
}
