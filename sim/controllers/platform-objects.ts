/**
 * ACP platform objects of a workload cluster: the platform version (ProductBase `base`, with
 * ConfigMap kube-public/acp-version as a plain fallback), the `platform` CatalogSource, the
 * redis-system OperatorGroup, and the Artifact/ArtifactVersion an upload leaves in cpaas-system.
 * Field names checked against product-base.yaml and the operators.coreos.com / app.alauda.io CRDs.
 */
import {
  CATALOG_NAME,
  CATALOG_NAMESPACE,
  csvName,
  OPERATOR_GROUP_NAME,
  OPERATOR_NAMESPACE,
} from '#sim/controllers/olm-objects.ts';
import {
  ARTIFACT,
  ARTIFACT_VERSION,
  apiVersionOf,
  CATALOG_SOURCE,
  CONFIG_MAP,
  NAMESPACE,
  OPERATOR_GROUP,
  PRODUCT_BASE_V1ALPHA1,
  type ResourceType,
} from '#sim/resource-types.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

/** Labels the upload endpoint (and ACP's violet) puts on an ArtifactVersion. */
export const ARTIFACT_LABEL = 'cpaas.io/artifact';
export const CHANNEL_LABEL = 'cpaas.io/channel';
const REGISTRY = 'registry.alauda.cn:60080';

function object(
  t: ResourceType,
  metadata: KubeObject['metadata'],
  rest: Record<string, unknown>,
): KubeObject {
  return { apiVersion: apiVersionOf(t), kind: t.kind, metadata, ...rest };
}

export function buildNamespace(name: string): KubeObject {
  return object(NAMESPACE, { name }, { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
}

export function buildAcpVersionConfigMap(platformVersion: string): KubeObject {
  return object(
    CONFIG_MAP,
    { name: 'acp-version', namespace: 'kube-public' },
    { data: { version: platformVersion } },
  );
}

/**
 * ProductBase `base` (cluster-scoped) in its storage version v1alpha1, with every spec field that
 * version requires (the v1alpha2 ones are a subset); ACP writes versions with a leading `v`.
 */
export function buildProductBase(platformVersion: string, now: string): KubeObject {
  return object(
    PRODUCT_BASE_V1ALPHA1,
    { name: 'base' },
    {
      spec: {
        version: `v${platformVersion}`,
        platformURL: 'https://acp.sim.invalid',
        defaultAdmin: { account: 'admin', email: 'admin@cpaas.io' },
        http: { forceRedirectHttps: true },
        registry: { address: REGISTRY, preferPlatformURL: false },
        chartMuseum: { url: 'http://chartmuseum.cpaas-system.svc:8080' },
        containerPlatform: { install: true },
        devops: { install: false },
        serviceMesh: { install: false },
        elasticsearch: { install: true },
        kafka: { install: false },
        logAgent: { enable: true },
        logCenter: { enable: true },
        prometheus: { install: true },
      },
      status: {
        phase: 'Running',
        version: `v${platformVersion}`,
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      },
    },
  );
}

export function buildCatalogSource(now: string): KubeObject {
  return object(
    CATALOG_SOURCE,
    { name: CATALOG_NAME, namespace: CATALOG_NAMESPACE },
    {
      spec: { sourceType: 'grpc', displayName: 'Platform', publisher: 'Alauda', priority: 0 },
      status: {
        connectionState: {
          address: `${CATALOG_NAME}.${CATALOG_NAMESPACE}.svc:50051`,
          lastObservedState: 'READY',
          lastConnect: now,
        },
      },
    },
  );
}

/** No targetNamespaces: the operator watches all namespaces. */
export function buildOperatorGroup(now: string): KubeObject {
  return object(
    OPERATOR_GROUP,
    { name: OPERATOR_GROUP_NAME, namespace: OPERATOR_NAMESPACE },
    { spec: { upgradeStrategy: 'Default' }, status: { lastUpdated: now, namespaces: [''] } },
  );
}

export function buildArtifact(pkg: string, now: string): KubeObject {
  const labels = { [ARTIFACT_LABEL]: pkg };
  return object(
    ARTIFACT,
    { name: pkg, namespace: CATALOG_NAMESPACE, labels },
    {
      spec: {
        artifactVersionSelector: { matchLabels: labels },
        present: true,
        registry: REGISTRY,
        repository: `alauda/${pkg}`,
        type: 'bundle',
        displayName: pkg,
      },
      status: { synced: true, availableArtifactVersion: 1, lastUpdateTime: now },
    },
  );
}

/** `<package>.v<version>` with status.reason Success: the upload took. */
export function buildArtifactVersion(artifact: KubeObject, version: string, channel: string): KubeObject {
  const pkg = artifact.metadata.name;
  return object(
    ARTIFACT_VERSION,
    {
      name: csvName(pkg, version),
      namespace: CATALOG_NAMESPACE,
      labels: { [ARTIFACT_LABEL]: pkg, [CHANNEL_LABEL]: channel },
      ownerReferences: [
        { apiVersion: artifact.apiVersion, kind: artifact.kind, name: pkg, uid: artifact.metadata.uid },
      ],
    },
    {
      spec: { present: true, tag: `v${version}` },
      status: { name: pkg, version: `v${version}`, type: 'bundle', phase: 'Present', reason: 'Success' },
    },
  );
}
