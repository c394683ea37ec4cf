/**
 * What a successful `violet push` leaves in a workload cluster: Artifact `<package>` and
 * ArtifactVersion `<package>.v<version>` in cpaas-system (app.alauda.io/v1alpha1), the version
 * with status.reason `Success`. Written through the cluster's store so watches, resourceVersions
 * and the catalog-sync controller see it like any other write.
 */
import type { PluginManifest } from '#sim/packages/plugin-package.ts';
import { ARTIFACT, ARTIFACT_VERSION, apiVersionOf, type ResourceType } from '#sim/resource-types.ts';
import type { ClusterStore, KubeObject } from '#sim/store/cluster-store.ts';

export const ARTIFACT_NAMESPACE = 'cpaas-system';
const ARTIFACT_LABEL = 'cpaas.io/artifact';
/** Where the simulated platform "pushed" the images; nothing pulls from it. */
const REGISTRY = 'registry.sim.invalid';

export function artifactVersionName(manifest: Pick<PluginManifest, 'package' | 'version'>): string {
  return `${manifest.package}.v${manifest.version}`;
}

/** Creates the object, or replaces its spec/labels keeping metadata the store owns; returns what is stored. */
function upsert(store: ClusterStore, type: ResourceType, desired: KubeObject): KubeObject {
  const current = store.get(type, desired.metadata.namespace, desired.metadata.name);
  if (!current) return store.create(type, desired);
  return store.update(type, {
    ...current,
    ...desired,
    metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...desired.metadata.labels } },
  });
}

function artifact(manifest: PluginManifest): KubeObject {
  return {
    apiVersion: apiVersionOf(ARTIFACT),
    kind: ARTIFACT.kind,
    metadata: {
      name: manifest.package,
      namespace: ARTIFACT_NAMESPACE,
      labels: { [ARTIFACT_LABEL]: manifest.package },
    },
    spec: {
      artifactVersionSelector: { matchLabels: { [ARTIFACT_LABEL]: manifest.package } },
      present: true,
      registry: REGISTRY,
      repository: `alauda/${manifest.package}`,
      type: 'bundle',
      displayName: manifest.package,
    },
  };
}

function artifactVersion(manifest: PluginManifest, owner: KubeObject): KubeObject {
  return {
    apiVersion: apiVersionOf(ARTIFACT_VERSION),
    kind: ARTIFACT_VERSION.kind,
    metadata: {
      name: artifactVersionName(manifest),
      namespace: ARTIFACT_NAMESPACE,
      labels: { [ARTIFACT_LABEL]: manifest.package, 'cpaas.io/channel': manifest.channel },
      ownerReferences: [
        {
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          name: owner.metadata.name,
          uid: owner.metadata.uid,
        },
      ],
    },
    spec: { present: true, tag: `v${manifest.version}` },
  };
}

/** Throws whatever the store throws (SimApiError); the caller reports it against the cluster. */
export function publishArtifact(store: ClusterStore, manifest: PluginManifest, now: Date): KubeObject {
  const owner = upsert(store, ARTIFACT, artifact(manifest));
  store.updateStatus(ARTIFACT, {
    ...owner,
    status: { synced: true, availableArtifactVersion: 1, lastUpdateTime: now.toISOString() },
  });
  const stored = upsert(store, ARTIFACT_VERSION, artifactVersion(manifest, owner));
  return store.updateStatus(ARTIFACT_VERSION, {
    ...stored,
    status: {
      name: manifest.package,
      version: `v${manifest.version}`,
      type: 'bundle',
      phase: 'Present',
      reason: 'Success',
      message: `pushed ${manifest.csv} (channel ${manifest.channel})`,
    },
  });
}
