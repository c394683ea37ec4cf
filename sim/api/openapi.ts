/**
 * `/openapi/v3` (a root naming one document per group-version) and `/openapi/v2` (one Swagger
 * document), built from the served kinds: each CRD version's openAPIV3Schema with its
 * x-kubernetes-group-version-kind, and paths whose operations declare the `dryRun`,
 * `fieldValidation` and `fieldManager` query parameters. kubectl reads them for `explain`, and to
 * decide that the server does dry-run and field validation itself (its query-param verifier looks
 * for those parameters on the kind's PATCH operation).
 */
import { createHash } from 'node:crypto';
import { SIM_KUBE_VERSION } from '#sim/api/discovery.ts';
import { RESOURCE_TYPES, type ResourceType } from '#sim/resource-types.ts';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const STRING = { type: 'string' };
const STRING_MAP = { type: 'object', additionalProperties: STRING };
const OPEN_LIST = { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };

const OBJECT_META_SCHEMA = {
  description: 'ObjectMeta is metadata that all persisted resources must have.',
  type: 'object',
  properties: {
    name: STRING,
    generateName: STRING,
    namespace: STRING,
    uid: STRING,
    resourceVersion: STRING,
    generation: { type: 'integer', format: 'int64' },
    creationTimestamp: { type: 'string', format: 'date-time' },
    deletionTimestamp: { type: 'string', format: 'date-time' },
    labels: STRING_MAP,
    annotations: STRING_MAP,
    finalizers: { type: 'array', items: STRING },
    ownerReferences: OPEN_LIST,
    managedFields: OPEN_LIST,
  },
};

/** Core kinds have no CRD: an open object keeps explain and validation honest about what is known. */
const OPEN_SCHEMA = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** `operators.coreos.com` + `v1alpha1` + `Subscription` -> `com.coreos.operators.v1alpha1.Subscription`. */
export function definitionName(t: ResourceType): string {
  const group = t.group === '' ? 'io.k8s.api.core' : t.group.split('.').reverse().join('.');
  return `${group}.${t.version}.${t.kind}`;
}

/** `apis/operators.coreos.com/v1alpha1` or `api/v1`. */
export function groupVersionPath(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group === '' ? `api/${t.version}` : `apis/${t.group}/${t.version}`;
}

function gvk(t: ResourceType) {
  return { group: t.group, version: t.version, kind: t.kind };
}

function kindSchema(t: ResourceType, ref: string): object {
  const schema = (t.schema ?? OPEN_SCHEMA) as { properties?: Record<string, unknown> };
  return {
    ...schema,
    properties: {
      apiVersion: {
        type: 'string',
        description: 'APIVersion defines the versioned schema of this representation of an object.',
      },
      kind: {
        type: 'string',
        description: 'Kind is a string value representing the REST resource this object represents.',
      },
      ...schema.properties,
      metadata: { description: "Standard object's metadata.", allOf: [{ $ref: ref }] },
    },
    'x-kubernetes-group-version-kind': [gvk(t)],
  };
}

type Version = 'v2' | 'v3';

const WRITE_PARAMETERS = [
  ['dryRun', 'When present, indicates that modifications should not be persisted. Valid values: All'],
  [
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ],
  ['fieldValidation', 'Ignore, Warn (default) or Strict: how the server answers unknown fields.'],
];

function parameters(names: string[][], version: Version): object[] {
  return names.map(([name, description]) =>
    version === 'v3'
      ? { name, in: 'query', description, schema: { type: 'string', uniqueItems: true } }
      : { name, in: 'query', description, type: 'string', uniqueItems: true },
  );
}

function operation(
  t: ResourceType,
  action: string,
  ref: string,
  version: Version,
  extra: string[][] = [],
): object {
  const body =
    version === 'v3'
      ? { content: { 'application/json': { schema: { $ref: ref } } } }
      : { schema: { $ref: ref } };
  return {
    operationId: `${action}${t.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(t),
    ...(action === 'get' || action === 'list'
      ? {}
      : { parameters: parameters([...WRITE_PARAMETERS, ...extra], version) }),
    responses: { '200': { description: 'OK', ...body } },
  };
}

function pathsOf(t: ResourceType, ref: string, version: Version): Record<string, object> {
  const base = `/${groupVersionPath(t)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
  const patch = operation(t, 'patch', ref, version, [['force', 'Force is going to "force" Apply requests.']]);
  const item = {
    get: operation(t, 'get', ref, version),
    put: operation(t, 'put', ref, version),
    patch,
    delete: operation(t, 'delete', ref, version),
  };
  const paths: Record<string, object> = {
    [base]: { get: operation(t, 'list', ref, version), post: operation(t, 'post', ref, version) },
    [`${base}/{name}`]: item,
  };
  if (t.statusSubresource) {
    paths[`${base}/{name}/status`] = { get: item.get, put: item.put, patch };
  }
  return paths;
}

/** OpenAPI v3 drops what Swagger 2.0 cannot say (nullable, anyOf, oneOf, not), as the apiserver does for v2. */
function toV2(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toV2);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'anyOf' || key === 'oneOf' || key === 'not') continue;
    out[key] =
      key === '$ref' ? String(value).replace('#/components/schemas/', '#/definitions/') : toV2(value);
  }
  return out;
}

const cached = new Map<string, object>();

function memo(key: string, build: () => object): object {
  let doc = cached.get(key);
  if (!doc) {
    doc = build();
    cached.set(key, doc);
  }
  return doc;
}

/** The v3 document of one group-version (`apis/<group>/<version>` or `api/v1`), or undefined. */
export function openApiV3Document(gvPath: string): object | undefined {
  const types = RESOURCE_TYPES.filter((t) => groupVersionPath(t) === gvPath);
  if (types.length === 0) return undefined;
  return memo(`v3 ${gvPath}`, () => {
    const ref = `#/components/schemas/${OBJECT_META}`;
    return {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: SIM_KUBE_VERSION.gitVersion },
      paths: Object.assign(
        {},
        ...types.map((t) => pathsOf(t, `#/components/schemas/${definitionName(t)}`, 'v3')),
      ),
      components: {
        schemas: {
          [OBJECT_META]: OBJECT_META_SCHEMA,
          ...Object.fromEntries(types.map((t) => [definitionName(t), kindSchema(t, ref)])),
        },
      },
    };
  });
}

function hashOf(doc: object): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
}

/**
 * The v3 root. serverRelativeURL carries the cluster prefix: clients request it as an absolute
 * path on the server, and the cluster's API lives under /kubernetes/<cluster>.
 */
export function openApiV3Root(clusterPrefix: string): object {
  const gvPaths = [...new Set(RESOURCE_TYPES.map(groupVersionPath))].sort();
  return {
    paths: Object.fromEntries(
      gvPaths.map((gv) => [
        gv,
        {
          serverRelativeURL: `${clusterPrefix}/openapi/v3/${gv}?hash=${hashOf(openApiV3Document(gv) as object)}`,
        },
      ]),
    ),
  };
}

/** The Swagger 2.0 document of every served kind. */
export function openApiV2Document(): object {
  return memo('v2', () => {
    const ref = `#/definitions/${OBJECT_META}`;
    return {
      swagger: '2.0',
      info: { title: 'Kubernetes', version: SIM_KUBE_VERSION.gitVersion },
      paths: Object.assign(
        {},
        ...RESOURCE_TYPES.map((t) => pathsOf(t, `#/definitions/${definitionName(t)}`, 'v2')),
      ),
      definitions: {
        [OBJECT_META]: OBJECT_META_SCHEMA,
        ...Object.fromEntries(RESOURCE_TYPES.map((t) => [definitionName(t), toV2(kindSchema(t, ref))])),
      },
    };
  });
}
