import { randomBytes } from 'node:crypto';
import { apiVersionOf, type ResourceType } from '#sim/resource-types.ts';
import { badRequest, invalid, type StatusCause } from '#sim/store/api-error.ts';
import type { KubeObject } from '#sim/store/kube-object.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** RFC 3339 with whole seconds, the way apiserver writes timestamps. */
export function kubeTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A deep copy that also drops `undefined`s, as a JSON round trip over the wire would. */
export function copyObject<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function generatedName(prefix: string): string {
  const bytes = randomBytes(5);
  let suffix = '';
  for (const b of bytes) suffix += SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length];
  return `${prefix}${suffix}`;
}

function nameCauses(name: string): StatusCause[] {
  if (name.length > 253) {
    return [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${name}": must be no more than 253 characters`,
      },
    ];
  }
  if (!DNS_SUBDOMAIN.test(name)) {
    return [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      },
    ];
  }
  return [];
}

/** Fills apiVersion/kind, checks they and the scope fit `t`, resolves generateName, validates the name. */
export function normalizeIdentity(t: ResourceType, input: KubeObject): KubeObject {
  const obj = copyObject(input);
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw badRequest('the body must be a JSON object');
  const apiVersion = apiVersionOf(t);
  if (obj.kind !== undefined && obj.kind !== t.kind) {
    throw badRequest(`the kind of the object (${String(obj.kind)}) does not match ${t.kind}`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
    throw badRequest(
      `the API version of the object (${String(obj.apiVersion)}) does not match ${apiVersion}`,
    );
  }
  obj.apiVersion = apiVersion;
  obj.kind = t.kind;
  obj.metadata ??= { name: '' };
  const meta = obj.metadata;
  if (!meta.name && typeof meta.generateName === 'string' && meta.generateName !== '') {
    meta.name = generatedName(meta.generateName);
  }
  if (!meta.name) {
    throw invalid(t, '', [
      {
        reason: 'FieldValueRequired',
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
      },
    ]);
  }
  if (t.namespaced && !meta.namespace) {
    throw invalid(t, meta.name, [
      { reason: 'FieldValueRequired', field: 'metadata.namespace', message: 'Required value' },
    ]);
  }
  if (!t.namespaced) delete meta.namespace;
  const causes = nameCauses(meta.name);
  if (causes.length > 0) throw invalid(t, meta.name, causes);
  return obj;
}

/** The part of an object whose change bumps metadata.generation. */
export function generationSubject(obj: KubeObject, statusSubresource: boolean): Record<string, unknown> {
  const { metadata: _metadata, status, ...rest } = obj;
  return statusSubresource ? rest : { ...rest, status };
}
