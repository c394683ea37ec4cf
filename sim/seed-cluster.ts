/**
 * Fills a fresh ClusterStore with one ACP workload cluster as `spec` describes it: the operator
 * installed through OLM from the `platform` catalog, the platform version, Redis instances with
 * their PVCs, pods and backups, and nodes sized for the requested headroom. Everything goes through
 * the store, so every custom resource is validated against its real CRD schema.
 */
import semver from 'semver';
import type { ClusterSpec, InstanceSpec } from '#sim/cluster-spec.ts';
import { buildNode, buildPods, nodeNames, type PodPlacement } from '#sim/controllers/capacity-objects.ts';
import {
  buildCsv,
  buildInstallPlan,
  buildSubscription,
  CATALOG_HEALTHY_CONDITION,
  CATALOG_NAME,
  CATALOG_NAMESPACE,
  catalogHealth,
  csvName,
  csvStatus,
  installPlanName,
  OPERATOR_NAMESPACE,
  planReferences,
  planSteps,
  REDIS_PACKAGE,
} from '#sim/controllers/olm-objects.ts';
import { buildPackageManifest, type ChannelEntry, channelWith } from '#sim/controllers/package-manifest.ts';
import {
  buildAcpVersionConfigMap,
  buildArtifact,
  buildArtifactVersion,
  buildCatalogSource,
  buildNamespace,
  buildOperatorGroup,
  buildProductBase,
} from '#sim/controllers/platform-objects.ts';
import {
  buildBackup,
  buildInstance,
  buildPvc,
  INSTANCE_KINDS,
  instanceLabels,
  instancePodNames,
  instancePvcNames,
} from '#sim/controllers/redis-objects.ts';
import { createWithStatus } from '#sim/controllers/store-writes.ts';
import {
  ARTIFACT,
  ARTIFACT_VERSION,
  CATALOG_SOURCE,
  CONFIG_MAP,
  CSV,
  INSTALL_PLAN,
  NAMESPACE,
  NODE,
  OPERATOR_GROUP,
  PACKAGE_MANIFEST,
  POD,
  PRODUCT_BASE,
  PVC,
  REDIS_BACKUP,
  SUBSCRIPTION,
} from '#sim/resource-types.ts';
import type { ClusterStore } from '#sim/store/cluster-store.ts';
import { kubeTimestamp } from '#sim/store/object-meta.ts';

/** The contract (SIM-CONTRACT.md) names seedCluster and startControllers together. */
export { startControllers } from '#sim/controllers/start-controllers.ts';

export interface SeedCatalog {
  versions: { version: string; csv: string; channel: string }[];
}

/** The second operator in redis-system whose pending plan OLM merges in (traps.mergedPlan). */
export const MERGED_PLAN_OPERATOR = {
  pkg: 'middleware-exporter',
  installed: '1.4.0',
  offered: '1.5.0',
  channel: 'stable',
};

const BACKUP_DURATION_MS = 60_000;

function seedPlatform(store: ClusterStore, spec: ClusterSpec, namespaces: string[]): void {
  const now = kubeTimestamp();
  for (const name of namespaces) createWithStatus(store, NAMESPACE, buildNamespace(name));
  store.create(CONFIG_MAP, buildAcpVersionConfigMap(spec.platformVersion));
  createWithStatus(store, PRODUCT_BASE, buildProductBase(spec.platformVersion, now));
  createWithStatus(store, CATALOG_SOURCE, buildCatalogSource(now));
  createWithStatus(store, OPERATOR_GROUP, buildOperatorGroup(now));
}

/** The catalog as uploads left it: every catalog version up to the installed one, on its channel. */
function offeredChannels(spec: ClusterSpec, catalog: SeedCatalog | undefined): Map<string, ChannelEntry[]> {
  const channels = new Map<string, ChannelEntry[]>();
  const add = (channel: string, entry: ChannelEntry) =>
    channels.set(channel, [...(channels.get(channel) ?? []), entry]);
  for (const v of catalog?.versions ?? []) {
    if (semver.lte(v.version, spec.installedVersion)) add(v.channel, { name: v.csv, version: v.version });
  }
  add(spec.channel, { name: csvName(REDIS_PACKAGE, spec.installedVersion), version: spec.installedVersion });
  return channels;
}

/** An operator installed through OLM: CSV Succeeded, the Complete plan that installed it, the Subscription at latest. */
function seedInstalledOperator(
  store: ClusterStore,
  pkg: string,
  version: string,
  channel: string,
  approval: 'Manual' | 'Automatic',
): void {
  const now = kubeTimestamp();
  const csv = csvName(pkg, version);
  createWithStatus(store, CSV, {
    ...buildCsv({ pkg, version, namespace: OPERATOR_NAMESPACE }),
    status: csvStatus(
      undefined,
      'Succeeded',
      'InstallSucceeded',
      'install strategy completed with no errors',
      now,
    ),
  });
  const sub = store.create(SUBSCRIPTION, buildSubscription(pkg, channel, approval));
  const built = buildInstallPlan({
    name: installPlanName(`${OPERATOR_NAMESPACE}/${csv}`),
    namespace: OPERATOR_NAMESPACE,
    csvNames: [csv],
    approval,
    generation: 1,
    owners: [sub],
  });
  const plan = createWithStatus(store, INSTALL_PLAN, {
    ...built,
    spec: { ...(built.spec as object), approved: true },
    status: {
      phase: 'Complete',
      catalogSources: [],
      plan: planSteps([csv], 'Created'),
      startTime: now,
      conditions: [{ type: 'Installed', status: 'True', lastUpdateTime: now, lastTransitionTime: now }],
    },
  });
  store.updateStatus(SUBSCRIPTION, {
    ...sub,
    status: {
      installedCSV: csv,
      currentCSV: csv,
      state: 'AtLatestKnown',
      ...planReferences(plan),
      lastUpdated: now,
      catalogHealth: catalogHealth(store.get(CATALOG_SOURCE, CATALOG_NAMESPACE, CATALOG_NAME), now),
      conditions: [{ ...CATALOG_HEALTHY_CONDITION, lastTransitionTime: now }],
    },
  });
}

function seedOperator(store: ClusterStore, spec: ClusterSpec, catalog: SeedCatalog | undefined): void {
  const channels = [...offeredChannels(spec, catalog)].map(([name, entries]) => channelWith(name, entries));
  store.create(PACKAGE_MANIFEST, buildPackageManifest(REDIS_PACKAGE, channels, spec.channel));
  const artifact = createWithStatus(store, ARTIFACT, buildArtifact(REDIS_PACKAGE, kubeTimestamp()));
  const version = spec.installedVersion;
  createWithStatus(store, ARTIFACT_VERSION, buildArtifactVersion(artifact, version, spec.channel));
  seedInstalledOperator(store, REDIS_PACKAGE, version, spec.channel, spec.approval);
  if (spec.traps?.mergedPlan) {
    const other = MERGED_PLAN_OPERATOR;
    const entries = [other.installed, other.offered].map((v) => ({
      name: csvName(other.pkg, v),
      version: v,
    }));
    store.create(
      PACKAGE_MANIFEST,
      buildPackageManifest(other.pkg, [channelWith(other.channel, entries)], other.channel),
    );
    seedInstalledOperator(store, other.pkg, other.installed, other.channel, 'Manual');
  }
}

function seedInstance(store: ClusterStore, spec: ClusterSpec, instance: InstanceSpec): void {
  createWithStatus(store, INSTANCE_KINDS[instance.kind].type, buildInstance(instance));
  const pending = new Set(spec.pvcsPending ?? []);
  for (const name of instancePvcNames(instance.kind, instance.name)) {
    createWithStatus(store, PVC, buildPvc(instance, name, pending.has(name)));
  }
  if (spec.backupAgeSeconds !== null) {
    const completedAt = new Date(Date.now() - spec.backupAgeSeconds * 1000);
    createWithStatus(store, REDIS_BACKUP, buildBackup(instance, completedAt, BACKUP_DURATION_MS));
  }
}

function podPlacements(spec: ClusterSpec): PodPlacement[] {
  const agents = nodeNames(spec.nodes.count).map((node) => ({
    namespace: 'kube-system',
    name: `node-agent-${node}`,
    labels: { app: 'node-agent' },
    container: 'agent',
    image: 'registry.alauda.cn:60080/acp/node-agent:v1.0.0',
  }));
  const operator = {
    namespace: OPERATOR_NAMESPACE,
    name: `${REDIS_PACKAGE}-5d8f7c9b6-x2k4p`,
    labels: { 'control-plane': REDIS_PACKAGE },
    container: 'manager',
    image: `registry.alauda.cn:60080/middleware/${REDIS_PACKAGE}:v${spec.installedVersion}`,
  };
  const redis = spec.instances.flatMap((i) =>
    instancePodNames(i.kind, i.name).map((name) => ({
      namespace: i.namespace,
      name,
      labels: instanceLabels(i.kind, i.name),
      container: i.kind === 'RedisSentinel' ? 'sentinel' : 'redis',
      image: 'registry.alauda.cn:60080/middleware/redis:6.0-alpine',
    })),
  );
  return [...agents, operator, ...redis];
}

export function seedCluster(store: ClusterStore, spec: ClusterSpec, catalog?: SeedCatalog): void {
  const instanceNamespaces = spec.instances.map((i) => i.namespace);
  const namespaces = [
    ...new Set([OPERATOR_NAMESPACE, CATALOG_NAMESPACE, 'kube-public', 'kube-system', ...instanceNamespaces]),
  ];
  seedPlatform(store, spec, namespaces);
  seedOperator(store, spec, catalog);
  for (const instance of spec.instances) seedInstance(store, spec, instance);
  for (const name of nodeNames(spec.nodes.count)) createWithStatus(store, NODE, buildNode(name, spec.nodes));
  for (const pod of buildPods(podPlacements(spec), spec)) createWithStatus(store, POD, pod);
}
