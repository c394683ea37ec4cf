import { RESOURCE_TYPES, type ResourceType } from '#sim/resource-types.ts';

/** The Kubernetes version the simulated apiservers report. */
export const SIM_KUBE_VERSION = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.4-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-08-14T00:00:00Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const VERSION_FORM = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/** Kubernetes version priority: GA before beta before alpha, then higher numbers first. */
function versionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = VERSION_FORM.exec(v);
    if (!m) return [-1, 0, 0];
    const stability = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (rb[i] as number) - (ra[i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

interface GroupVersions {
  name: string;
  versions: { groupVersion: string; version: string }[];
  preferredVersion: { groupVersion: string; version: string };
}

/** authorization.k8s.io: only SelfSubjectAccessReview, which `kubectl auth can-i` creates. */
export const AUTHORIZATION_GROUP = 'authorization.k8s.io';
const AUTHORIZATION_RESOURCES = [
  {
    name: 'selfsubjectaccessreviews',
    singularName: 'selfsubjectaccessreview',
    namespaced: false,
    kind: 'SelfSubjectAccessReview',
    verbs: ['create'],
  },
];

function servedVersions(group: string): string[] {
  if (group === AUTHORIZATION_GROUP) return ['v1'];
  return [...new Set(RESOURCE_TYPES.filter((t) => t.group === group).map((t) => t.version))];
}

function groupVersionsOf(group: string): GroupVersions | undefined {
  const versions = servedVersions(group).sort(versionPriority);
  const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  const preferred = entries[0];
  return preferred ? { name: group, versions: entries, preferredVersion: preferred } : undefined;
}

export function coreVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function groupList(): object {
  const groups = [
    ...new Set([...RESOURCE_TYPES.map((t) => t.group), AUTHORIZATION_GROUP].filter((g) => g !== '')),
  ]
    .map(groupVersionsOf)
    .filter((g) => g !== undefined);
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(group: string): object | undefined {
  const versions = groupVersionsOf(group);
  return versions && { kind: 'APIGroup', apiVersion: 'v1', ...versions };
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function resourceEntries(t: ResourceType): object[] {
  const main = {
    name: t.plural,
    singularName: t.singular ?? t.kind.toLowerCase(),
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: VERBS,
    ...(t.shortNames ? { shortNames: t.shortNames } : {}),
    ...(t.categories ? { categories: t.categories } : {}),
  };
  if (!t.statusSubresource) return [main];
  return [
    main,
    {
      name: `${t.plural}/status`,
      singularName: '',
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ['get', 'patch', 'update'],
    },
  ];
}

export function resourceList(group: string, version: string): object | undefined {
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
  const authorization = group === AUTHORIZATION_GROUP && version === 'v1';
  if (types.length === 0 && !authorization) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: authorization ? AUTHORIZATION_RESOURCES : types.flatMap(resourceEntries),
  };
}
