/**
 * Fills a fresh ClusterStore with one ACP workload cluster as `spec` describes it: the operator
 * installed through OLM from the `platform` catalog, the platform version, Redis instances with
 * their PVCs, pods and backups, and nodes sized for the requested headroom. Everything goes through
 * the store, so every custom resource is validated against its real CRD schema.
 */
import semver from 'semver';
import type { ClusterSpec, InstanceSpec } from '#sim/cluster-spec.ts';
import {
  type BundleLookup,
  BundleRegistry,
  clusterBundles,
  MERGED_PLAN_OPERATOR,
} from '#sim/controllers/bundle-registry.ts';
import { buildNode, buildPods, nodeNames, type PodPlacement } from '#sim/controllers/capacity-objects.ts';
import type { PackageCatalog } from '#sim/controllers/olm-graph.ts';
import {
  buildCsv,
  buildInstallPlan,
  buildSubscription,
  bundleLookup,
  bundleSteps,
  CATALOG_HEALTHY_CONDITION,
  CATALOG_NAME,
  CATALOG_NAMESPACE,
  catalogHealth,
  csvName,
  csvStatus,
  OPERATOR_NAMESPACE,
  planReferences,
  REDIS_PACKAGE,
} from '#sim/controllers/olm-objects.ts';
import { buildPackageManifest, withBundle } from '#sim/controllers/package-manifest.ts';
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
import type { Bundle } from '#sim/packages/bundle.ts';
import { bundleOf } from '#sim/packages/example-bundles.ts';
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
  PRODUCT_BASE_V1ALPHA1,
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

export { MERGED_PLAN_OPERATOR };

const BACKUP_DURATION_MS = 60_000;

function seedPlatform(store: ClusterStore, spec: ClusterSpec, namespaces: string[]): void {
  const now = kubeTimestamp();
  for (const name of namespaces) createWithStatus(store, NAMESPACE, buildNamespace(name));
  store.create(CONFIG_MAP, buildAcpVersionConfigMap(spec.platformVersion));
  createWithStatus(store, PRODUCT_BASE_V1ALPHA1, buildProductBase(spec.platformVersion, now));
  createWithStatus(store, CATALOG_SOURCE, buildCatalogSource(now));
  createWithStatus(store, OPERATOR_GROUP, buildOperatorGroup(now));
}

/**
 * The bundles uploads left in the catalog: every catalog version up to the installed one, the
 * installed one, and those the scenario says were uploaded besides (catalog.uploaded). A version
 * the platform has no bundle for (older than the package list) is installed but not in the catalog.
 */
function catalogBundles(
  spec: ClusterSpec,
  catalog: SeedCatalog | undefined,
  bundles: BundleLookup,
): Bundle[] {
  const older = (catalog?.versions ?? [])
    .map((v) => v.version)
    .filter((v) => semver.lte(v, spec.installedVersion));
  const versions = [...new Set([...older, spec.installedVersion, ...(spec.catalog?.uploaded ?? [])])];
  return versions.map((v) => bundles(csvName(REDIS_PACKAGE, v))).filter((b): b is Bundle => b !== undefined);
}

function bundleOrThrow(bundles: BundleLookup, csv: string): Bundle {
  const bundle = bundles(csv);
  if (!bundle) throw new Error(`the platform registry has no bundle for ${csv}`);
  return bundle;
}

function seedPackageManifest(store: ClusterStore, pkg: string, bundles: Bundle[]): void {
  const catalog = bundles.reduce<PackageCatalog | undefined>(
    (acc, bundle) => withBundle(acc, bundle),
    undefined,
  );
  if (catalog) store.create(PACKAGE_MANIFEST, buildPackageManifest(pkg, catalog));
}

/** An operator installed through OLM: CSV Succeeded, the Complete plan that installed it, the Subscription at latest. */
function seedInstalledOperator(
  store: ClusterStore,
  bundle: Bundle,
  channel: string,
  approval: 'Manual' | 'Automatic',
): void {
  const now = kubeTimestamp();
  const { csv } = bundle;
  createWithStatus(store, CSV, {
    ...buildCsv({
      pkg: bundle.package,
      version: bundle.version,
      namespace: OPERATOR_NAMESPACE,
      skips: bundle.skips,
      skipRange: bundle.skipRange,
    }),
    status: csvStatus(
      undefined,
      'Succeeded',
      'InstallSucceeded',
      'install strategy completed with no errors',
      now,
    ),
  });
  const sub = store.create(SUBSCRIPTION, buildSubscription(bundle.package, channel, approval));
  const built = buildInstallPlan({
    namespace: OPERATOR_NAMESPACE,
    csvNames: [csv],
    approval,
    generation: 1,
    owners: [sub],
  });
  const { conditions: _unpacked, ...lookup } = bundleLookup(bundle, undefined);
  const plan = createWithStatus(store, INSTALL_PLAN, {
    ...built,
    spec: { ...(built.spec as object), approved: true },
    status: {
      phase: 'Complete',
      catalogSources: [CATALOG_NAME],
      plan: bundleSteps(bundle, 'Created'),
      bundleLookups: [lookup],
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

function seedOperator(
  store: ClusterStore,
  spec: ClusterSpec,
  catalog: SeedCatalog | undefined,
  bundles: BundleLookup,
): void {
  const inCatalog = catalogBundles(spec, catalog, bundles);
  seedPackageManifest(store, REDIS_PACKAGE, inCatalog);
  const installed =
    bundles(csvName(REDIS_PACKAGE, spec.installedVersion)) ??
    bundleOf(REDIS_PACKAGE, spec.installedVersion, spec.channel, { skips: [] });
  const artifact = createWithStatus(store, ARTIFACT, buildArtifact(REDIS_PACKAGE, kubeTimestamp()));
  const newer = inCatalog.filter((b) => semver.gt(b.version, spec.installedVersion));
  for (const bundle of [installed, ...newer]) {
    const channel = bundle === installed ? spec.channel : (bundle.channels[0] ?? spec.channel);
    createWithStatus(store, ARTIFACT_VERSION, buildArtifactVersion(artifact, bundle.version, channel));
  }
  seedInstalledOperator(store, installed, spec.channel, spec.approval);
  if (spec.traps?.mergedPlan) {
    const other = MERGED_PLAN_OPERATOR;
    const otherBundles = [other.installed, other.offered].map((v) =>
      bundleOrThrow(bundles, csvName(other.pkg, v)),
    );
    seedPackageManifest(store, other.pkg, otherBundles);
    seedInstalledOperator(store, otherBundles[0] as Bundle, other.channel, 'Manual');
  }
}

function seedInstance(store: ClusterStore, spec: ClusterSpec, instance: InstanceSpec): void {
  createWithStatus(store, INSTANCE_KINDS[instance.kind].type, buildInstance(instance));
  const pending = new Set(spec.pvcsPending ?? []);
  for (const name of instancePvcNames(instance.kind, instance.name)) {
    createWithStatus(store, PVC, buildPvc(instance, name, pending.has(name)));
  }
  if (spec.backupAgeSeconds !== null) {
    // Created when it started: a backup completes after it was created.
    const completedAt = new Date(Date.now() - spec.backupAgeSeconds * 1000);
    const createdAt = new Date(completedAt.getTime() - BACKUP_DURATION_MS);
    createWithStatus(store, REDIS_BACKUP, buildBackup(instance, completedAt, BACKUP_DURATION_MS), createdAt);
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

export function seedCluster(
  store: ClusterStore,
  spec: ClusterSpec,
  catalog?: SeedCatalog,
  registry: BundleRegistry = BundleRegistry.platform(),
): void {
  const instanceNamespaces = spec.instances.map((i) => i.namespace);
  const namespaces = [
    ...new Set([OPERATOR_NAMESPACE, CATALOG_NAMESPACE, 'kube-public', 'kube-system', ...instanceNamespaces]),
  ];
  seedPlatform(store, spec, namespaces);
  seedOperator(store, spec, catalog, clusterBundles(registry, spec));
  for (const instance of spec.instances) seedInstance(store, spec, instance);
  for (const name of nodeNames(spec.nodes.count)) createWithStatus(store, NODE, buildNode(name, spec.nodes));
  for (const pod of buildPods(podPlacements(spec), spec)) createWithStatus(store, POD, pod);
}
