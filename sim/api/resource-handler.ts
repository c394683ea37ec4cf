import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  mediaType,
  methodNotAllowed,
  readBody,
  readJson,
  resourceNotFound,
  sendJson,
} from '#sim/api/http-io.ts';
import type { KubePath } from '#sim/api/kube-path.ts';
import { APPLY_PATCH, applyPatch } from '#sim/api/patching.ts';
import { applyConfiguration, parseApplyConfiguration } from '#sim/api/server-side-apply.ts';
import { type TableRequest, tableRequest, toTable } from '#sim/api/table.ts';
import { serveWatch } from '#sim/api/watch-stream.ts';
import { type WriteRequest, warningHeaders, writeRequest } from '#sim/api/write-request.ts';
import { apiVersionOf, findResourceType, type ResourceType } from '#sim/resource-types.ts';
import { badRequest, invalid, notFound } from '#sim/store/api-error.ts';
import type { ClusterStore, KubeObject } from '#sim/store/cluster-store.ts';

type ResourcePath = Extract<KubePath, { kind: 'resource' }>;

interface Target {
  t: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  status: boolean;
}

/** Maps a path to its resource type, refusing scopes and subresources the type does not serve. */
function resolveTarget(path: ResourcePath): Target {
  const t = findResourceType(path.group, path.version, path.plural);
  if (!t) throw resourceNotFound();
  if (path.namespace !== undefined && !t.namespaced) throw resourceNotFound();
  if (path.name !== undefined && t.namespaced && path.namespace === undefined) throw resourceNotFound();
  if (path.subresource !== undefined && !(path.subresource === 'status' && t.statusSubresource)) {
    throw resourceNotFound();
  }
  return { t, namespace: path.namespace, name: path.name, status: path.subresource !== undefined };
}

function numberParam(url: URL, key: string): number | undefined {
  const raw = url.searchParams.get(key);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw badRequest(`invalid value for ${key}: ${raw}`);
  return value;
}

function isWatch(url: URL, path: ResourcePath): boolean {
  const watch = url.searchParams.get('watch');
  return path.watchPath || watch === 'true' || watch === '1';
}

function listBody(
  target: Target,
  url: URL,
  store: ClusterStore,
  table: TableRequest | undefined,
): string | object {
  const { t } = target;
  const page = store.listJson(t, {
    namespace: target.namespace,
    labelSelector: url.searchParams.get('labelSelector') ?? undefined,
    fieldSelector: url.searchParams.get('fieldSelector') ?? undefined,
    limit: numberParam(url, 'limit'),
    continue: url.searchParams.get('continue') ?? undefined,
  });
  const metadata = {
    resourceVersion: page.resourceVersion,
    ...(page.continue ? { continue: page.continue } : {}),
    ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
  };
  if (table)
    return toTable(
      t,
      page.items.map((json) => JSON.parse(json) as KubeObject),
      table,
      metadata,
    );
  const head = JSON.stringify({ apiVersion: apiVersionOf(t), kind: t.listKind, metadata });
  return `${head.slice(0, -1)},"items":[${page.items.join(',')}]}`;
}

function watch(
  req: IncomingMessage,
  res: ServerResponse,
  target: Target,
  url: URL,
  store: ClusterStore,
  table: TableRequest | undefined,
): void {
  const byName = target.name === undefined ? undefined : `metadata.name=${target.name}`;
  const fieldSelector = [url.searchParams.get('fieldSelector'), byName].filter(Boolean).join(',');
  serveWatch(req, res, store, target.t, {
    namespace: target.namespace,
    labelSelector: url.searchParams.get('labelSelector') ?? undefined,
    fieldSelector: fieldSelector || undefined,
    resourceVersion: url.searchParams.get('resourceVersion') ?? undefined,
    timeoutSeconds: numberParam(url, 'timeoutSeconds'),
    allowWatchBookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
    ...(table
      ? {
          transform: (json: string) =>
            JSON.stringify(toTable(target.t, [JSON.parse(json) as KubeObject], table)),
        }
      : {}),
  });
}

/** Checks the body names what the URL names, and fills the namespace from the URL. */
function bodyObject(body: unknown, target: Target): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the body must be a JSON object');
  const obj = body as KubeObject;
  obj.metadata ??= { name: '' };
  const meta = obj.metadata;
  if (target.t.namespaced) {
    if (meta.namespace && meta.namespace !== target.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    meta.namespace = target.namespace;
  }
  if (target.name !== undefined) {
    if (meta.name && meta.name !== target.name) {
      throw badRequest(
        `the name of the object (${meta.name}) does not match the name on the URL (${target.name})`,
      );
    }
    meta.name = target.name;
  }
  return obj;
}

function create(target: Target, body: unknown, store: ClusterStore, request: WriteRequest): KubeObject {
  if (target.name !== undefined || target.status || (target.t.namespaced && target.namespace === undefined)) {
    throw methodNotAllowed();
  }
  const obj = bodyObject(body, target);
  if (obj.metadata.resourceVersion)
    throw badRequest('resourceVersion should not be set on objects to be created');
  // A status subresource makes status writable only through /status, creation included.
  if (target.t.statusSubresource) delete obj.status;
  return store.create(target.t, obj, request.options);
}

function replace(target: Target, body: unknown, store: ClusterStore, request: WriteRequest): KubeObject {
  const obj = bodyObject(body, target);
  // Custom resources refuse unconditional updates; core kinds here allow them.
  if (target.t.group !== '' && !obj.metadata.resourceVersion) {
    throw invalid(target.t, obj.metadata.name, [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.resourceVersion',
        message: 'Invalid value: 0x0: must be specified for an update',
      },
    ]);
  }
  return target.status
    ? store.updateStatus(target.t, obj, request.options)
    : store.update(target.t, obj, request.options);
}

function parsePatch(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`the patch is not valid JSON: ${(error as Error).message}`);
  }
}

/** A patch's answer: the status code (an apply may create) and the object. */
function patch(
  target: Target,
  contentType: string,
  text: string,
  store: ClusterStore,
  request: WriteRequest,
): [number, KubeObject] {
  const { t, namespace, name = '' } = target;
  const current = store.get(t, namespace, name);
  let result: KubeObject;
  if (contentType === APPLY_PATCH) {
    const config = bodyObject(parseApplyConfiguration(t, text), target);
    result = applyConfiguration(t, current, config, request, target.status ? 'status' : undefined);
    if (!current) {
      if (target.status) throw notFound(t, name);
      return [201, create({ ...target, name: undefined }, result, store, request)];
    }
  } else {
    if (!current) throw notFound(t, name);
    result = applyPatch(t, contentType, current, parsePatch(text));
  }
  if (result.metadata?.name !== name || (t.namespaced && result.metadata.namespace !== namespace)) {
    throw badRequest('metadata.name and metadata.namespace cannot be changed by a patch');
  }
  const written = target.status
    ? store.updateStatus(t, result, request.options)
    : store.update(t, result, request.options);
  return [200, written];
}

function deleted(target: Target, obj: KubeObject): unknown {
  // ConfigMaps answer a delete with a Status; the other kinds served here return the object.
  if (target.t.kind !== 'ConfigMap') return obj;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: obj.metadata.name, kind: target.t.plural, uid: obj.metadata.uid },
  };
}

async function handleItem(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  target: Target,
  store: ClusterStore,
): Promise<void> {
  const { t, namespace, name = '' } = target;
  if (req.method === 'GET') {
    const json = store.getJson(t, namespace, name);
    if (json === undefined) throw notFound(t, name);
    const table = tableRequest(req, url);
    sendJson(res, 200, table ? toTable(t, [JSON.parse(json) as KubeObject], table) : json);
    return;
  }
  const request = writeRequest(url);
  const answer = (code: number, body: unknown) =>
    sendJson(res, code, body, warningHeaders(request.options.warnings));
  switch (req.method) {
    case 'PUT':
      return answer(200, replace(target, await readJson(req), store, request));
    case 'PATCH':
      return answer(...patch(target, mediaType(req), await readBody(req), store, request));
    case 'DELETE':
      if (target.status) throw methodNotAllowed();
      await readBody(req); // DeleteOptions: propagation and grace periods are not simulated
      return answer(200, deleted(target, store.delete(t, namespace, name, request.options)));
    default:
      throw methodNotAllowed();
  }
}

/** One apiserver resource request: get, list, watch, create, replace, patch, delete, and /status. */
export async function handleResource(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: ResourcePath,
  store: ClusterStore,
): Promise<void> {
  const target = resolveTarget(path);
  if (req.method === 'GET' && isWatch(url, path)) {
    watch(req, res, target, url, store, tableRequest(req, url));
    return;
  }
  if (target.name === undefined) {
    if (req.method === 'GET') sendJson(res, 200, listBody(target, url, store, tableRequest(req, url)));
    else if (req.method === 'POST') {
      const request = writeRequest(url);
      const created = create(target, await readJson(req), store, request);
      sendJson(res, 201, created, warningHeaders(request.options.warnings));
    } else throw methodNotAllowed();
    return;
  }
  await handleItem(req, res, url, target, store);
}
