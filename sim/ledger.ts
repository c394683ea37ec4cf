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

function planEvent(entry: Entry, event: StoreEvent): void {
  const { metadata } = event.object;
  const uid = metadata.uid as string; // the store gives every object one
  const spec = (event.object.spec ?? {}) as PlanSpec;
  if (event.type === 'DELETED' || spec.approved !== true) {
    entry.approved.delete(uid);
    return;
  }
  if (entry.approved.has(uid)) return;
  entry.approved.add(uid);
  if (event.type === 'ADDED') return;
  const previous = entry.approvals.get(metadata.name)?.count ?? 0;
  entry.approvals.set(metadata.name, {
    count: previous + 1,
    csvs: [...(spec.clusterServiceVersionNames ?? [])],
  });
}

export class SideEffectLedger {
  readonly #clusters = new Map<string, Entry>();

  /** Starts counting a cluster's writes; call before seeding it, so seeded plans are known. */
  track(cluster: string, platform: string, store: ClusterStore): void {
    const entry: Entry = { platform, store, uploads: new Map(), approvals: new Map(), approved: new Set() };
    this.#clusters.set(cluster, entry);
    store.subscribe((event) => planEvent(entry, event), INSTALL_PLAN);
  }

  /** The upload endpoint wrote ArtifactVersion `name` to the cluster. */
  recordUpload(cluster: string, name: string): void {
    const uploads = this.#entry(cluster).uploads;
    uploads.set(name, (uploads.get(name) ?? 0) + 1);
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
