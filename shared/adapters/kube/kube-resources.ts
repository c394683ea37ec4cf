/** Group/version/plural of every resource redis-upgrader reads or writes (docs/architecture.md §2). */
export interface CustomResource {
  group: string;
  version: string;
  plural: string;
}

export const SUBSCRIPTIONS: CustomResource = {
  group: 'operators.coreos.com',
  version: 'v1alpha1',
  plural: 'subscriptions',
};
export const INSTALL_PLANS: CustomResource = {
  group: 'operators.coreos.com',
  version: 'v1alpha1',
  plural: 'installplans',
};
export const CSVS: CustomResource = {
  group: 'operators.coreos.com',
  version: 'v1alpha1',
  plural: 'clusterserviceversions',
};
export const PACKAGE_MANIFESTS: CustomResource = {
  group: 'packages.operators.coreos.com',
  version: 'v1',
  plural: 'packagemanifests',
};
export const ARTIFACT_VERSIONS: CustomResource = {
  group: 'app.alauda.io',
  version: 'v1alpha1',
  plural: 'artifactversions',
};
export const PRODUCT_BASES: CustomResource = {
  group: 'product.alauda.io',
  version: 'v1alpha2',
  plural: 'productbases',
};
export const REDIS_BACKUPS: CustomResource = {
  group: 'redis.middleware.alauda.io',
  version: 'v1',
  plural: 'redisbackups',
};

/** The four Redis instance kinds and how each reports health. */
export const REDIS_INSTANCE_KINDS = [
  {
    kind: 'Redis',
    group: 'middleware.alauda.io',
    version: 'v1',
    plural: 'redis',
    field: 'phase',
    healthy: 'Ready',
  },
  {
    kind: 'RedisFailover',
    group: 'databases.spotahome.com',
    version: 'v1',
    plural: 'redisfailovers',
    field: 'phase',
    healthy: 'Ready',
  },
  {
    kind: 'RedisSentinel',
    group: 'databases.spotahome.com',
    version: 'v1',
    plural: 'redissentinels',
    field: 'phase',
    healthy: 'Ready',
  },
  {
    kind: 'DistributedRedisCluster',
    group: 'redis.kun',
    version: 'v1alpha1',
    plural: 'distributedredisclusters',
    field: 'status',
    healthy: 'Healthy',
  },
] as const;

export type RedisInstanceKind = (typeof REDIS_INSTANCE_KINDS)[number];

/** The REST path of a custom resource's collection, or of one object in it. */
export function customPath(resource: CustomResource, namespace?: string, name?: string): string {
  const scope = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const object = name ? `/${encodeURIComponent(name)}` : '';
  return `/apis/${resource.group}/${resource.version}${scope}/${resource.plural}${object}`;
}
