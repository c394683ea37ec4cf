import type { PrinterColumn } from '#sim/store/crd-bundle.ts';
import { crdNames, crdPrinterColumns, crdSchema } from '#sim/store/crd-schemas.ts';

/**
 * One served resource: registering a new kind is one `define(...)` line below. Storage is keyed by
 * group + plural, so several served versions of one CRD (ProductBase v1alpha1/v1alpha2) share their
 * objects the way a CRD with conversion strategy None does; each version validates with its own schema.
 */
export interface ResourceType {
  group: string; // '' for core
  version: string;
  plural: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  /** openAPIV3Schema from sim/crds (loaded on first use), or a minimal inline one. */
  schema?: object;
  /** Serves `/status`; writes through the main resource keep the stored status (like a real apiserver). */
  statusSubresource?: boolean;
  singular?: string;
  /** A CRD's declared short names and categories (a core kind's real short names). */
  shortNames?: string[];
  categories?: string[];
  /** A CRD version's additionalPrinterColumns (server-side tables); none: NAME and AGE. */
  printerColumns?: PrinterColumn[];
}

interface Definition {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  status: boolean;
  crd?: string;
  schema?: object;
  shortNames?: string[];
}

function define(d: Definition): ResourceType {
  const type: ResourceType = {
    group: d.group,
    version: d.version,
    plural: d.plural,
    kind: d.kind,
    listKind: `${d.kind}List`,
    namespaced: d.namespaced,
    statusSubresource: d.status,
    singular: d.kind.toLowerCase(),
    ...(d.shortNames ? { shortNames: d.shortNames } : {}),
    ...(d.schema ? { schema: d.schema } : {}),
  };
  const file = d.crd;
  if (file) {
    // Parsing 2 MB of CRD YAML costs seconds; only the kinds a run touches pay for it.
    const lazy = (key: keyof ResourceType, get: () => unknown) =>
      Object.defineProperty(type, key, { enumerable: true, get });
    lazy('schema', () => crdSchema(file, d.version));
    lazy('shortNames', () => crdNames(file).shortNames);
    lazy('categories', () => crdNames(file).categories);
    lazy('printerColumns', () => crdPrinterColumns(file, d.version));
  }
  return type;
}

/** PackageManifest is served by OLM's package server (no CRD): the shape docs/architecture.md §2 relies on. */
const PACKAGE_MANIFEST_SCHEMA = {
  type: 'object',
  properties: {
    spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    status: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: {
        catalogSource: { type: 'string' },
        catalogSourceNamespace: { type: 'string' },
        packageName: { type: 'string' },
        defaultChannel: { type: 'string' },
        channels: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'currentCSV'],
            'x-kubernetes-preserve-unknown-fields': true,
            properties: {
              name: { type: 'string' },
              currentCSV: { type: 'string' },
              entries: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['name'],
                  properties: { name: { type: 'string' }, version: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
  },
};

const OLM = 'operators.coreos.com';

export const SUBSCRIPTION = define({
  group: OLM,
  version: 'v1alpha1',
  plural: 'subscriptions',
  kind: 'Subscription',
  namespaced: true,
  status: true,
  crd: 'operators.coreos.com_subscriptions.yaml',
});
export const INSTALL_PLAN = define({
  group: OLM,
  version: 'v1alpha1',
  plural: 'installplans',
  kind: 'InstallPlan',
  namespaced: true,
  status: true,
  crd: 'operators.coreos.com_installplans.yaml',
});
export const CSV = define({
  group: OLM,
  version: 'v1alpha1',
  plural: 'clusterserviceversions',
  kind: 'ClusterServiceVersion',
  namespaced: true,
  status: true,
  crd: 'operators.coreos.com_clusterserviceversions.yaml',
});
export const CATALOG_SOURCE = define({
  group: OLM,
  version: 'v1alpha1',
  plural: 'catalogsources',
  kind: 'CatalogSource',
  namespaced: true,
  status: true,
  crd: 'operators.coreos.com_catalogsources.yaml',
});
export const OPERATOR_GROUP = define({
  group: OLM,
  version: 'v1',
  plural: 'operatorgroups',
  kind: 'OperatorGroup',
  namespaced: true,
  status: true,
  crd: 'operators.coreos.com_operatorgroups.yaml',
});
export const OPERATOR_GROUP_V1ALPHA2 = define({
  group: OLM,
  version: 'v1alpha2',
  plural: 'operatorgroups',
  kind: 'OperatorGroup',
  namespaced: true,
  status: true,
  crd: 'operators.coreos.com_operatorgroups.yaml',
});
export const PACKAGE_MANIFEST = define({
  group: 'packages.operators.coreos.com',
  version: 'v1',
  plural: 'packagemanifests',
  kind: 'PackageManifest',
  namespaced: true,
  status: false,
  schema: PACKAGE_MANIFEST_SCHEMA,
});
export const ARTIFACT = define({
  group: 'app.alauda.io',
  version: 'v1alpha1',
  plural: 'artifacts',
  kind: 'Artifact',
  namespaced: true,
  status: true,
  crd: 'app.alauda.io_artifacts.yaml',
});
export const ARTIFACT_VERSION = define({
  group: 'app.alauda.io',
  version: 'v1alpha1',
  plural: 'artifactversions',
  kind: 'ArtifactVersion',
  namespaced: true,
  status: true,
  crd: 'app.alauda.io_artifactversions.yaml',
});
/** status.version is the ACP platform version. v1alpha2 is what clients prefer; v1alpha1 is the storage version. */
export const PRODUCT_BASE = define({
  group: 'product.alauda.io',
  version: 'v1alpha2',
  plural: 'productbases',
  kind: 'ProductBase',
  namespaced: false,
  status: true,
  crd: 'product-base.yaml',
});
export const PRODUCT_BASE_V1ALPHA1 = define({
  group: 'product.alauda.io',
  version: 'v1alpha1',
  plural: 'productbases',
  kind: 'ProductBase',
  namespaced: false,
  status: true,
  crd: 'product-base.yaml',
});
export const REDIS = define({
  group: 'middleware.alauda.io',
  version: 'v1',
  plural: 'redis',
  kind: 'Redis',
  namespaced: true,
  status: true,
  crd: 'middleware.alauda.io_redis.yaml',
});
export const REDIS_FAILOVER = define({
  group: 'databases.spotahome.com',
  version: 'v1',
  plural: 'redisfailovers',
  kind: 'RedisFailover',
  namespaced: true,
  status: true,
  crd: 'databases.spotahome.com_redisfailovers.yaml',
});
export const REDIS_SENTINEL = define({
  group: 'databases.spotahome.com',
  version: 'v1',
  plural: 'redissentinels',
  kind: 'RedisSentinel',
  namespaced: true,
  status: true,
  crd: 'databases.spotahome.com_redissentinels.yaml',
});
export const DISTRIBUTED_REDIS_CLUSTER = define({
  group: 'redis.kun',
  version: 'v1alpha1',
  plural: 'distributedredisclusters',
  kind: 'DistributedRedisCluster',
  namespaced: true,
  status: true,
  crd: 'redis.kun_distributedredisclusters.yaml',
});
export const REDIS_BACKUP = define({
  group: 'redis.middleware.alauda.io',
  version: 'v1',
  plural: 'redisbackups',
  kind: 'RedisBackup',
  namespaced: true,
  status: true,
  crd: 'redis.middleware.alauda.io_redisbackups.yaml',
});
export const NODE = define({
  group: '',
  version: 'v1',
  plural: 'nodes',
  kind: 'Node',
  namespaced: false,
  status: true,
  shortNames: ['no'],
});
export const POD = define({
  group: '',
  version: 'v1',
  plural: 'pods',
  kind: 'Pod',
  namespaced: true,
  status: true,
  shortNames: ['po'],
});
export const NAMESPACE = define({
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
  status: true,
  shortNames: ['ns'],
});
export const PVC = define({
  group: '',
  version: 'v1',
  plural: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
  namespaced: true,
  status: true,
  shortNames: ['pvc'],
});
export const CONFIG_MAP = define({
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
  status: false,
  shortNames: ['cm'],
});
export const EVENT = define({
  group: '',
  version: 'v1',
  plural: 'events',
  kind: 'Event',
  namespaced: true,
  status: false,
  shortNames: ['ev'],
});

export const RESOURCE_TYPES: ResourceType[] = [
  SUBSCRIPTION,
  INSTALL_PLAN,
  CSV,
  CATALOG_SOURCE,
  OPERATOR_GROUP,
  OPERATOR_GROUP_V1ALPHA2,
  PACKAGE_MANIFEST,
  ARTIFACT,
  ARTIFACT_VERSION,
  PRODUCT_BASE,
  PRODUCT_BASE_V1ALPHA1,
  REDIS,
  REDIS_FAILOVER,
  REDIS_SENTINEL,
  DISTRIBUTED_REDIS_CLUSTER,
  REDIS_BACKUP,
  NODE,
  POD,
  NAMESPACE,
  PVC,
  CONFIG_MAP,
  EVENT,
];

export function apiVersionOf(t: ResourceType): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

/** `subscriptions.operators.coreos.com`, the way apiserver messages name a resource. */
export function qualifiedResource(t: ResourceType): string {
  return t.group === '' ? t.plural : `${t.plural}.${t.group}`;
}

/** `Subscription.operators.coreos.com`, the way apiserver validation messages name a kind. */
export function qualifiedKind(t: ResourceType): string {
  return t.group === '' ? t.kind : `${t.kind}.${t.group}`;
}

export function findResourceType(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);
}
