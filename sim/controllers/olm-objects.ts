/**
 * OLM objects shaped as operator-framework writes them (field names checked against
 * sim/crds/operators.coreos.com_*.yaml): ClusterServiceVersion, InstallPlan, Subscription,
 * and the PackageManifest the package server derives from the catalog.
 */
import { apiVersionOf, CATALOG_SOURCE, CSV, INSTALL_PLAN, SUBSCRIPTION } from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

export const OPERATOR_NAMESPACE = 'redis-system';
export const CATALOG_NAMESPACE = 'cpaas-system';
export const CATALOG_NAME = 'platform';
export const REDIS_PACKAGE = 'redis-operator';
export const OPERATOR_GROUP_NAME = 'redis-system';

const DISPLAY_NAMES: Record<string, string> = { [REDIS_PACKAGE]: 'Alauda Cache Service for Redis OSS' };

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `install-xxxxx` like OLM's generated names, but derived from `seed` so runs are reproducible. */
export function installPlanName(seed: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  let suffix = '';
  for (let i = 0; i < 5; i++) {
    suffix += NAME_ALPHABET[hash % NAME_ALPHABET.length];
    hash = Math.floor(hash / NAME_ALPHABET.length);
  }
  return `install-${suffix}`;
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
  replaces?: string | undefined;
}

export function buildCsv(input: CsvSpecInput): KubeObject {
  const { pkg, version, namespace } = input;
  const selector = { 'control-plane': pkg };
  return {
    apiVersion: apiVersionOf(CSV),
    kind: CSV.kind,
    metadata: {
      name: csvName(pkg, version),
      namespace,
      labels: { [operatorLabel(pkg, namespace)]: '', 'olm.managed': 'true' },
      annotations: {
        'olm.operatorGroup': OPERATOR_GROUP_NAME,
        'olm.operatorNamespace': namespace,
        'olm.targetNamespaces': '',
        'operatorframework.io/properties': JSON.stringify({
          properties: [{ type: 'olm.package', value: { packageName: pkg, version } }],
        }),
      },
    },
    spec: {
      displayName: DISPLAY_NAMES[pkg] ?? pkg,
      version,
      ...(input.replaces ? { replaces: input.replaces } : {}),
      maturity: 'stable',
      provider: { name: 'Alauda' },
      installModes: [
        { type: 'OwnNamespace', supported: true },
        { type: 'SingleNamespace', supported: true },
        { type: 'MultiNamespace', supported: false },
        { type: 'AllNamespaces', supported: true },
      ],
      install: {
        strategy: 'deployment',
        spec: {
          deployments: [
            {
              name: pkg,
              spec: {
                replicas: 1,
                selector: { matchLabels: selector },
                template: {
                  metadata: { labels: selector },
                  spec: {
                    containers: [
                      {
                        name: 'manager',
                        image: `registry.alauda.cn:60080/middleware/${pkg}:v${version}`,
                        resources: { requests: { cpu: '100m', memory: '256Mi' } },
                      },
                    ],
                  },
                },
              },
            },
          ],
        },
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
  name: string;
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
    metadata: {
      name: input.name,
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

/** status.plan: one step per CSV (OLM also lists the CRDs and RBAC of each bundle). */
export function planSteps(csvNames: string[], status: 'Unknown' | 'Created'): unknown[] {
  return csvNames.map((name) => ({
    resolving: name,
    resource: {
      group: 'operators.coreos.com',
      version: 'v1alpha1',
      kind: 'ClusterServiceVersion',
      name,
      sourceName: CATALOG_NAME,
      sourceNamespace: CATALOG_NAMESPACE,
    },
    status,
  }));
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
