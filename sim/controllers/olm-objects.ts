/**
 * OLM objects shaped as operator-framework writes them (field names checked against
 * sim/crds/operators.coreos.com_*.yaml): ClusterServiceVersion, InstallPlan (its bundle lookups
 * and steps), Subscription.
 */
import { type Bundle, type BundleObject, csvManifest } from '#sim/packages/bundle.ts';
import { apiVersionOf, CATALOG_SOURCE, CSV, INSTALL_PLAN, SUBSCRIPTION } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

export const OPERATOR_NAMESPACE = 'redis-system';
export const CATALOG_NAMESPACE = 'cpaas-system';
export const CATALOG_NAME = 'platform';
export const REDIS_PACKAGE = 'redis-operator';
export const OPERATOR_GROUP_NAME = 'redis-system';

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A stable suffix from a name, as OLM derives RBAC names from a hash of the CSV. */
function hashSuffix(seed: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  let suffix = '';
  do {
    suffix += HASH_ALPHABET[hash % HASH_ALPHABET.length];
    hash = Math.floor(hash / HASH_ALPHABET.length);
  } while (hash > 0);
  return suffix;
}

export function csvName(pkg: string, version: string): string {
  return `${pkg}.v${version}`;
}

/** `redis-operator.v4.0.3` -> { pkg: 'redis-operator', version: '4.0.3' }. */
export function parseCsvName(name: string): { pkg: string; version: string } | undefined {
  const match = /^(.+)\.v(\d+\.\d+\.\d+(?:[-+].*)?)$/.exec(name);
  return match ? { pkg: match[1] as string, version: match[2] as string } : undefined;
}

/** The label OLM puts on everything it installs for a package in a namespace. */
export function operatorLabel(pkg: string, namespace: string): string {
  return `operators.coreos.com/${pkg}.${namespace}`;
}

export interface CsvSpecInput {
  pkg: string;
  version: string;
  namespace: string;
  /** The CSV it upgrades (OLM writes the installed one here, whatever the bundle says). */
  replaces?: string | undefined;
  skips?: string[] | undefined;
  skipRange?: string | undefined;
}

/** The bundle's CSV as OLM applies it in a namespace: namespaced, labelled and annotated by OLM. */
export function buildCsv(input: CsvSpecInput): KubeObject {
  const { pkg, version, namespace } = input;
  const manifest = csvManifest(input);
  const metadata = manifest.metadata as { name: string; annotations: Record<string, string> };
  return {
    ...manifest,
    apiVersion: apiVersionOf(CSV),
    kind: CSV.kind,
    metadata: {
      name: metadata.name,
      namespace,
      labels: { [operatorLabel(pkg, namespace)]: '', 'olm.managed': 'true' },
      annotations: {
        ...metadata.annotations,
        'olm.operatorGroup': OPERATOR_GROUP_NAME,
        'olm.operatorNamespace': namespace,
        'olm.targetNamespaces': '',
        'operatorframework.io/properties': JSON.stringify({
          properties: [{ type: 'olm.package', value: { packageName: pkg, version } }],
        }),
      },
    },
  };
}

export type CsvPhase =
  | 'Pending'
  | 'InstallReady'
  | 'Installing'
  | 'Succeeded'
  | 'Failed'
  | 'Replacing'
  | 'Deleting';

/** Status for a CSV entering `phase`; OLM appends every transition to status.conditions. */
export function csvStatus(
  previous: Record<string, unknown> | undefined,
  phase: CsvPhase,
  reason: string,
  message: string,
  now: string,
): Record<string, unknown> {
  const history = Array.isArray(previous?.conditions) ? (previous.conditions as unknown[]) : [];
  const transition = { phase, reason, message, lastUpdateTime: now, lastTransitionTime: now };
  return {
    phase,
    reason,
    message,
    lastUpdateTime: now,
    lastTransitionTime: now,
    conditions: [...history, transition].slice(-10),
    requirementStatus: [],
  };
}

export interface PlanInput {
  namespace: string;
  csvNames: string[];
  approval: 'Manual' | 'Automatic';
  generation: number;
  owners: KubeObject[];
}

export function buildInstallPlan(input: PlanInput): KubeObject {
  const labels: Record<string, string> = {};
  for (const name of input.csvNames) {
    const pkg = parseCsvName(name)?.pkg;
    if (pkg) labels[operatorLabel(pkg, input.namespace)] = '';
  }
  return {
    apiVersion: apiVersionOf(INSTALL_PLAN),
    kind: INSTALL_PLAN.kind,
    // Named by the apiserver, as OLM asks: install-<5 random characters>, unique in the cluster.
    metadata: {
      name: '',
      generateName: 'install-',
      namespace: input.namespace,
      labels,
      ownerReferences: input.owners.map((sub) => ({
        apiVersion: apiVersionOf(SUBSCRIPTION),
        kind: SUBSCRIPTION.kind,
        name: sub.metadata.name,
        uid: sub.metadata.uid,
        blockOwnerDeletion: false,
        controller: false,
      })),
    },
    spec: {
      approval: input.approval,
      approved: input.approval === 'Automatic',
      clusterServiceVersionNames: input.csvNames,
      generation: input.generation,
    },
  };
}

type StepStatus = 'Unknown' | 'Created';

function step(bundle: Bundle, object: BundleObject, status: StepStatus): Record<string, unknown> {
  return {
    resolving: bundle.csv,
    resource: {
      group: object.group,
      version: object.version,
      kind: object.kind,
      name: object.name,
      sourceName: CATALOG_NAME,
      sourceNamespace: CATALOG_NAMESPACE,
    },
    status,
  };
}

/**
 * status.plan for an unpacked bundle, as OLM's NewStepsFromBundle lists it: the CSV, every other
 * manifest of the bundle (its CRDs), then the RBAC of the CSV's install strategy.
 */
export function bundleSteps(bundle: Bundle, status: StepStatus): Record<string, unknown>[] {
  const rbacName = `${bundle.csv}-${hashSuffix(bundle.csv)}`;
  const objects: BundleObject[] = [
    { group: 'operators.coreos.com', version: 'v1alpha1', kind: 'ClusterServiceVersion', name: bundle.csv },
    ...bundle.objects,
    { group: '', version: 'v1', kind: 'ServiceAccount', name: bundle.package },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', name: rbacName },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', name: rbacName },
  ];
  return objects.map((object) => step(bundle, object, status));
}

/** status.bundleLookups entry of a plan just resolved: OLM has not started the unpack job yet. */
export function bundleLookup(bundle: Bundle, replaces: string | undefined): Record<string, unknown> {
  return {
    path: bundle.image,
    identifier: bundle.csv,
    replaces: replaces ?? '',
    catalogSourceRef: { namespace: CATALOG_NAMESPACE, name: CATALOG_NAME },
    properties: JSON.stringify({
      properties: [{ type: 'olm.package', value: { packageName: bundle.package, version: bundle.version } }],
    }),
    conditions: [
      {
        type: 'BundleLookupNotPersisted',
        status: 'True',
        reason: 'BundleNotUnpacked',
        message: 'bundle contents have not yet been persisted to installplan status',
      },
      {
        type: 'BundleLookupPending',
        status: 'True',
        reason: 'JobNotStarted',
        message: 'unpack job not yet started',
      },
    ],
  };
}

/** Subscription.status.installPlanRef / .installplan for a stored plan. */
export function planReferences(plan: KubeObject): Record<string, unknown> {
  const meta = plan.metadata;
  return {
    installPlanRef: {
      apiVersion: apiVersionOf(INSTALL_PLAN),
      kind: INSTALL_PLAN.kind,
      name: meta.name,
      namespace: meta.namespace,
      resourceVersion: meta.resourceVersion,
      uid: meta.uid,
    },
    installplan: {
      apiVersion: apiVersionOf(INSTALL_PLAN),
      kind: INSTALL_PLAN.kind,
      name: meta.name,
      uuid: meta.uid,
    },
    installPlanGeneration: (plan.spec as { generation?: number } | undefined)?.generation ?? 1,
  };
}

export function catalogHealth(catalog: KubeObject | undefined, now: string): unknown[] {
  return [
    {
      catalogSourceRef: {
        apiVersion: apiVersionOf(CATALOG_SOURCE),
        kind: CATALOG_SOURCE.kind,
        name: CATALOG_NAME,
        namespace: CATALOG_NAMESPACE,
        ...(catalog?.metadata.uid ? { uid: catalog.metadata.uid } : {}),
        ...(catalog?.metadata.resourceVersion ? { resourceVersion: catalog.metadata.resourceVersion } : {}),
      },
      healthy: true,
      lastUpdated: now,
    },
  ];
}

export const CATALOG_HEALTHY_CONDITION = {
  type: 'CatalogSourcesUnhealthy',
  status: 'False',
  reason: 'AllCatalogSourcesHealthy',
  message: 'all available catalogsources are healthy',
};

export function buildSubscription(
  pkg: string,
  channel: string,
  approval: 'Manual' | 'Automatic',
): KubeObject {
  return {
    apiVersion: apiVersionOf(SUBSCRIPTION),
    kind: SUBSCRIPTION.kind,
    metadata: {
      name: pkg,
      namespace: OPERATOR_NAMESPACE,
      labels: { [operatorLabel(pkg, OPERATOR_NAMESPACE)]: '' },
    },
    spec: {
      channel,
      name: pkg,
      source: CATALOG_NAME,
      sourceNamespace: CATALOG_NAMESPACE,
      installPlanApproval: approval,
    },
  };
}
