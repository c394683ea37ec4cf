/**
 * An OLM bundle (registry+v1) as an operator package carries it: `bundle/metadata/annotations.yaml`
 * (package, channels, default channel) and `bundle/manifests/` (the ClusterServiceVersion with its
 * upgrade graph: spec.replaces, spec.skips and the `olm.skipRange` annotation, plus the CRDs the
 * operator owns). The simulated catalog and OLM read the graph from here, as OLM reads it from the
 * bundle image; the InstallPlan lists every manifest as a step once the bundle is unpacked.
 */
import { parse, stringify } from 'yaml';
import * as z from 'zod';

const BUNDLE_DIR = 'bundle';
const ANNOTATIONS_FILE = `${BUNDLE_DIR}/metadata/annotations.yaml`;
const SKIP_RANGE_ANNOTATION = 'olm.skipRange';
/** Where the platform's registry serves images pushed with a package. */
const PLATFORM_REGISTRY = 'registry.alauda.cn:60080';

const PACKAGE_KEY = 'operators.operatorframework.io.bundle.package.v1';
const CHANNELS_KEY = 'operators.operatorframework.io.bundle.channels.v1';
const DEFAULT_CHANNEL_KEY = 'operators.operatorframework.io.bundle.channel.default.v1';

export interface BundleObject {
  group: string;
  version: string;
  kind: string;
  name: string;
}

export interface Bundle {
  package: string;
  /** The ClusterServiceVersion's name, e.g. redis-operator.v4.1.2. */
  csv: string;
  version: string;
  channels: string[];
  defaultChannel: string;
  replaces?: string | undefined;
  skips: string[];
  skipRange?: string | undefined;
  /** The bundle image OLM's unpack job pulls. */
  image: string;
  /** The bundle's manifests besides the CSV, in file order. */
  objects: BundleObject[];
}

/** The CRDs the Redis operator's bundle owns (sim/crds), as `plural.group` with their kind. */
const REDIS_OPERATOR_CRDS: { name: string; kind: string; version: string }[] = [
  { name: 'redis.middleware.alauda.io', kind: 'Redis', version: 'v1' },
  { name: 'redisfailovers.databases.spotahome.com', kind: 'RedisFailover', version: 'v1' },
  { name: 'redissentinels.databases.spotahome.com', kind: 'RedisSentinel', version: 'v1' },
  { name: 'distributedredisclusters.redis.kun', kind: 'DistributedRedisCluster', version: 'v1alpha1' },
  { name: 'redisusers.redis.middleware.alauda.io', kind: 'RedisUser', version: 'v1' },
  { name: 'redisbackups.redis.middleware.alauda.io', kind: 'RedisBackup', version: 'v1' },
  { name: 'redisclusterbackups.redis.middleware.alauda.io', kind: 'RedisClusterBackup', version: 'v1' },
  { name: 'imageversions.middleware.alauda.io', kind: 'ImageVersion', version: 'v1' },
];

export function ownedCrds(pkg: string): typeof REDIS_OPERATOR_CRDS {
  return pkg === 'redis-operator' ? REDIS_OPERATOR_CRDS : [];
}

export function bundleImage(pkg: string, version: string): string {
  return `${PLATFORM_REGISTRY}/middleware/${pkg}-bundle:v${version}`;
}

export interface CsvGraph {
  pkg: string;
  version: string;
  replaces?: string | undefined;
  skips?: string[];
  skipRange?: string | undefined;
}

/** The ClusterServiceVersion manifest as the bundle ships it (no namespace: OLM sets it). */
export function csvManifest(graph: CsvGraph): Record<string, unknown> {
  const { pkg, version } = graph;
  const owned = ownedCrds(pkg);
  const selector = { 'control-plane': pkg };
  const image = `${PLATFORM_REGISTRY}/middleware/${pkg}:v${version}`;
  return {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'ClusterServiceVersion',
    metadata: {
      name: `${pkg}.v${version}`,
      annotations: {
        capabilities: 'Full Lifecycle',
        containerImage: image,
        ...(graph.skipRange ? { [SKIP_RANGE_ANNOTATION]: graph.skipRange } : {}),
      },
    },
    spec: {
      displayName: pkg === 'redis-operator' ? 'Alauda Cache Service for Redis OSS' : pkg,
      version,
      ...(graph.replaces ? { replaces: graph.replaces } : {}),
      ...(graph.skips?.length ? { skips: graph.skips } : {}),
      maturity: 'stable',
      provider: { name: 'Alauda' },
      installModes: [
        { type: 'OwnNamespace', supported: true },
        { type: 'SingleNamespace', supported: true },
        { type: 'MultiNamespace', supported: false },
        { type: 'AllNamespaces', supported: true },
      ],
      customresourcedefinitions: {
        owned: owned.map((crd) => ({ name: crd.name, kind: crd.kind, version: crd.version })),
      },
      install: {
        strategy: 'deployment',
        spec: {
          clusterPermissions: [
            { serviceAccountName: pkg, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
          ],
          deployments: [
            {
              name: pkg,
              spec: {
                replicas: 1,
                selector: { matchLabels: selector },
                template: {
                  metadata: { labels: selector },
                  spec: {
                    serviceAccountName: pkg,
                    containers: [
                      {
                        name: 'manager',
                        image,
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

function crdManifest(crd: (typeof REDIS_OPERATOR_CRDS)[number]): Record<string, unknown> {
  const [plural, ...group] = crd.name.split('.');
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crd.name },
    spec: {
      group: group.join('.'),
      names: { kind: crd.kind, listKind: `${crd.kind}List`, plural, singular: crd.kind.toLowerCase() },
      scope: 'Namespaced',
      versions: [
        {
          name: crd.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

export interface BundleFile {
  name: string;
  data: Buffer;
}

/** The bundle's files, in the order they are written into the package. */
export function bundleFiles(bundle: Bundle): BundleFile[] {
  const yaml = (value: unknown) => Buffer.from(stringify(value));
  const annotations = {
    annotations: {
      'operators.operatorframework.io.bundle.mediatype.v1': 'registry+v1',
      'operators.operatorframework.io.bundle.manifests.v1': 'manifests/',
      'operators.operatorframework.io.bundle.metadata.v1': 'metadata/',
      [PACKAGE_KEY]: bundle.package,
      [CHANNELS_KEY]: bundle.channels.join(','),
      [DEFAULT_CHANNEL_KEY]: bundle.defaultChannel,
    },
  };
  const csv = csvManifest({
    pkg: bundle.package,
    version: bundle.version,
    replaces: bundle.replaces,
    skips: bundle.skips,
    skipRange: bundle.skipRange,
  });
  return [
    { name: ANNOTATIONS_FILE, data: yaml(annotations) },
    { name: `${BUNDLE_DIR}/manifests/${bundle.package}.clusterserviceversion.yaml`, data: yaml(csv) },
    ...ownedCrds(bundle.package).map((crd) => ({
      name: `${BUNDLE_DIR}/manifests/${crd.name}.crd.yaml`,
      data: yaml(crdManifest(crd)),
    })),
  ];
}

const annotationsSchema = z.object({
  annotations: z.object({
    [PACKAGE_KEY]: z.string().min(1),
    [CHANNELS_KEY]: z.string().min(1),
    [DEFAULT_CHANNEL_KEY]: z.string().min(1),
  }),
});

const manifestSchema = z.object({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.object({
    name: z.string().min(1),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z
    .object({
      version: z.string().optional(),
      replaces: z.string().optional(),
      skips: z.array(z.string()).optional(),
    })
    .optional(),
});

/** Thrown for a bundle directory OLM could not read; the message names the file and field. */
export class BundleFormatError extends Error {}

function parsed<T>(schema: z.ZodType<T>, file: BundleFile): T {
  let raw: unknown;
  try {
    raw = parse(file.data.toString('utf8'));
  } catch (error) {
    throw new BundleFormatError(`${file.name} is not YAML`, { cause: error });
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
  throw new BundleFormatError(`${file.name} lacks or mistypes ${fields}`);
}

/** The bundle in `files` (the package's `bundle/...` entries), or undefined when there is none. */
export function readBundle(files: BundleFile[]): Bundle | undefined {
  const annotationsFile = files.find((file) => file.name === ANNOTATIONS_FILE);
  if (!annotationsFile) return undefined;
  const { annotations } = parsed(annotationsSchema, annotationsFile);
  const manifests = files
    .filter((file) => file.name.startsWith(`${BUNDLE_DIR}/manifests/`))
    .map((file) => parsed(manifestSchema, file));
  const csvs = manifests.filter((m) => m.kind === 'ClusterServiceVersion');
  const csv = csvs[0];
  if (!csv || csvs.length > 1) {
    throw new BundleFormatError(`${BUNDLE_DIR}/manifests must hold exactly one ClusterServiceVersion`);
  }
  if (!csv.spec?.version) throw new BundleFormatError(`${csv.metadata.name} has no spec.version`);
  return {
    package: annotations[PACKAGE_KEY],
    csv: csv.metadata.name,
    version: csv.spec.version,
    channels: annotations[CHANNELS_KEY].split(',').map((c) => c.trim()),
    defaultChannel: annotations[DEFAULT_CHANNEL_KEY],
    replaces: csv.spec.replaces,
    skips: csv.spec.skips ?? [],
    skipRange: csv.metadata.annotations?.[SKIP_RANGE_ANNOTATION],
    image: bundleImage(annotations[PACKAGE_KEY], csv.spec.version),
    objects: manifests
      .filter((m) => m !== csv)
      .map((m) => {
        const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : ['', m.apiVersion];
        return { group: group ?? '', version: version ?? '', kind: m.kind, name: m.metadata.name };
      }),
  };
}
