/**
 * Server-side apply (`PATCH` with `application/apply-patch+yaml` and a `fieldManager`), simplified:
 * each Apply manager owns the leaves (scalars, and lists as a whole) of its last applied
 * configuration, recorded in metadata.managedFields as FieldsV1. Applying merges the configuration
 * into the live object, removes what the manager applied before and no longer applies (unless
 * another manager owns it), and refuses with 409 a change to a field another Apply manager owns
 * unless `force=true`, which takes the field over. Simplifications: writes other than apply (PUT,
 * merge or JSON patches, the simulated controllers) own no fields, so they never conflict; lists are
 * atomic (no list-map merging by key).
 */
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { apiVersionOf, type ResourceType } from '#sim/resource-types.ts';
import { badRequest, SimApiError } from '#sim/store/api-error.ts';
import type { KubeObject } from '#sim/store/kube-object.ts';
import { kubeTimestamp } from '#sim/store/object-meta.ts';
import { pruneUnknownFields } from '#sim/store/schema-validation.ts';

type Path = string[];

interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ApplyRequest {
  fieldManager: string | undefined;
  force: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The applied configuration: YAML (JSON is YAML) naming the kind the URL names. */
export function parseApplyConfiguration(t: ResourceType, text: string): KubeObject {
  let config: unknown;
  try {
    config = parse(text);
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isObject(config)) throw badRequest('the apply configuration must be an object');
  if (config.apiVersion !== apiVersionOf(t) || config.kind !== t.kind) {
    throw badRequest(
      `the apply configuration must set apiVersion ${apiVersionOf(t)} and kind ${t.kind} (got ${String(config.apiVersion)} ${String(config.kind)})`,
    );
  }
  return config as KubeObject;
}

/** Identity fields are the URL's, not owned by anyone. */
const IDENTITY: Path[] = [['apiVersion'], ['kind'], ['metadata', 'name'], ['metadata', 'namespace']];

function leaves(value: unknown, prefix: Path = []): Path[] {
  if (!isObject(value) || (prefix.length > 0 && Object.keys(value).length === 0)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leaves(child, [...prefix, key]));
}

function ownedBy(config: KubeObject): Path[] {
  const { managedFields: _ignored, ...metadata } = config.metadata ?? {};
  return leaves({ ...config, metadata }).filter((p) => !IDENTITY.some((id) => isDeepStrictEqual(id, p)));
}

function toFieldsV1(paths: Path[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let node = root;
    for (const key of path) {
      node[`f:${key}`] ??= {};
      node = node[`f:${key}`] as Record<string, unknown>;
    }
  }
  return root;
}

function fromFieldsV1(fields: Record<string, unknown> | undefined, prefix: Path = []): Path[] {
  if (!fields || Object.keys(fields).length === 0) return prefix.length > 0 ? [prefix] : [];
  return Object.entries(fields)
    .filter(([key]) => key.startsWith('f:'))
    .flatMap(([key, child]) => fromFieldsV1(child as Record<string, unknown>, [...prefix, key.slice(2)]));
}

function valueAt(obj: unknown, path: Path): unknown {
  let node = obj;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  return node;
}

function removeAt(obj: Record<string, unknown>, path: Path): void {
  const parent = valueAt(obj, path.slice(0, -1));
  if (isObject(parent)) delete parent[path.at(-1) as string];
}

function mergeInto(target: Record<string, unknown>, config: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(config)) {
    const current = target[key];
    if (isObject(value) && isObject(current)) mergeInto(current, value);
    else target[key] = structuredClone(value);
  }
}

const key = (p: Path) => JSON.stringify(p);

function conflictError(conflicts: { manager: string; path: Path }[]): SimApiError {
  const causes = conflicts.map(({ manager, path }) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with "${manager}"`,
    field: `.${path.join('.')}`,
  }));
  const listed = causes.map((c) => `${c.message}: ${c.field}`).join(', ');
  return new SimApiError(
    409,
    'Conflict',
    `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${listed}`,
    { causes },
  );
}

/**
 * The object an apply produces from `live` (undefined: the apply creates it), with the manager's
 * managedFields entry. Throws 409 on fields another Apply manager owns with another value.
 */
export function applyConfiguration(
  t: ResourceType,
  live: KubeObject | undefined,
  config: KubeObject,
  request: ApplyRequest,
  subresource?: 'status',
): KubeObject {
  const manager = request.fieldManager;
  if (!manager) throw badRequest('PATCH /apply requests require fieldManager to be set');
  const entries = ((live?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? []).map((e) => ({
    ...e,
  }));
  const isMine = (e: ManagedFieldsEntry) =>
    e.manager === manager && e.operation === 'Apply' && e.subresource === subresource;
  // A field the schema prunes is not stored, so nobody owns it (field validation reports it).
  const known = structuredClone(config);
  if (t.schema) pruneUnknownFields(t.schema, known);
  const applied = ownedBy(known);
  const appliedKeys = new Set(applied.map(key));
  const conflicts: { manager: string; path: Path }[] = [];
  for (const entry of entries.filter((e) => !isMine(e) && e.operation === 'Apply')) {
    const theirs = fromFieldsV1(entry.fieldsV1);
    const contested = theirs.filter(
      (p) => appliedKeys.has(key(p)) && !isDeepStrictEqual(valueAt(live, p), valueAt(config, p)),
    );
    if (contested.length === 0) continue;
    if (!request.force) conflicts.push(...contested.map((path) => ({ manager: entry.manager, path })));
    else {
      const taken = new Set(contested.map(key));
      entry.fieldsV1 = toFieldsV1(theirs.filter((p) => !taken.has(key(p))));
    }
  }
  if (conflicts.length > 0) throw conflictError(conflicts);

  const result = structuredClone(
    live ?? { apiVersion: config.apiVersion, kind: config.kind, metadata: { name: '' } },
  );
  const before = fromFieldsV1(entries.find(isMine)?.fieldsV1);
  const othersOwn = new Set(
    entries.filter((e) => !isMine(e)).flatMap((e) => fromFieldsV1(e.fieldsV1).map(key)),
  );
  for (const path of before) {
    if (!appliedKeys.has(key(path)) && !othersOwn.has(key(path))) removeAt(result, path);
  }
  const { metadata: configMeta, ...configRest } = config;
  const { managedFields: _dropped, ...configMetadata } = configMeta ?? { name: '' };
  mergeInto(result, configRest);
  mergeInto(result.metadata, configMetadata);
  const mine: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion: apiVersionOf(t),
    time: kubeTimestamp(),
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(applied),
    ...(subresource ? { subresource } : {}),
  };
  const kept = entries.filter((e) => !isMine(e) && fromFieldsV1(e.fieldsV1).length > 0);
  result.metadata.managedFields = applied.length > 0 ? [...kept, mine] : kept;
  return result;
}
