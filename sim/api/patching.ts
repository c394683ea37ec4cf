import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { unsupportedMediaType } from '#sim/api/http-io.ts';
import type { ResourceType } from '#sim/resource-types.ts';
import { badRequest, invalid } from '#sim/store/api-error.ts';
import type { KubeObject } from '#sim/store/cluster-store.ts';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
/** Server-side apply (sim/api/server-side-apply.ts). */
export const APPLY_PATCH = 'application/apply-patch+yaml';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function applyJsonPatch(t: ResourceType, current: KubeObject, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    return fastJsonPatch.applyPatch(current, ops as Operation[], true, true).newDocument;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw invalid(t, current.metadata.name, [
      { reason: 'FieldValueInvalid', field: 'patch', message: `Invalid value: ${message}` },
    ]);
  }
}

/**
 * The object a patch produces, by Content-Type as a real apiserver decides: custom resources take
 * JSON patch and merge patch (strategic merge is refused with 415); core kinds also take strategic
 * merge, approximated here as a merge patch (lists replace instead of merging by key). Server-side
 * apply is served by the caller; it is listed among the accepted types.
 */
export function applyPatch(
  t: ResourceType,
  contentType: string,
  current: KubeObject,
  patch: unknown,
): KubeObject {
  const core = t.group === '';
  const accepted = core
    ? [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH]
    : [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];
  let result: unknown;
  if (contentType === JSON_PATCH) result = applyJsonPatch(t, current, patch);
  else if (contentType === MERGE_PATCH || (core && contentType === STRATEGIC_MERGE_PATCH)) {
    if (!isObject(patch))
      throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
    result = mergePatch(current, patch);
  } else throw unsupportedMediaType(contentType, accepted);
  if (!isObject(result)) throw badRequest('the patch did not produce an object');
  return result as KubeObject;
}
