import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { StatusCause } from '#sim/store/api-error.ts';
import { compileCached } from '#sim/store/validator-cache.ts';

/**
 * Structural-schema handling the way a real apiserver applies a CRD's openAPIV3Schema: prune unknown
 * fields, apply defaults, validate, and report field errors in apiserver wording. One Ajv and one
 * compiled validator per schema for the whole process, shared by every simulated cluster.
 */
const OPTIONS = {
  strict: false, // x-kubernetes-* keywords are annotations here
  allErrors: true,
  verbose: true,
  useDefaults: true,
  validateFormats: false, // int32, int64, byte, quantity: apiserver formats Ajv does not know
  validateSchema: false,
  // Compiling the CRD schemas dominated simulator start-up; skipping the generated code's optimisation
  // pass halves that and changes no verdict (the pass only folds and drops code).
  code: { optimize: false },
} as const;
// `source`: the generated code is kept, so that compileCached can write it for the next process.
const ajv = new Ajv({ ...OPTIONS, code: { ...OPTIONS.code, source: true } });

const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = compileCached(ajv, OPTIONS, schema);
    compiled.set(schema, validate);
  }
  return validate;
}

interface Structural {
  properties?: Record<string, Structural>;
  additionalProperties?: boolean | Structural;
  items?: Structural;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

const EMBEDDED_KEEP = new Set(['apiVersion', 'kind', 'metadata']);

/** ObjectMeta's fields: the apiserver drops (and reports) any other under metadata. */
const OBJECT_META = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Drops fields the schema does not know, as apiserver pruning does (preserve-unknown-fields opts
 * out), and returns their paths (`spec.foo`, `spec.items[0].bar`) for field validation to report.
 */
function prune(value: unknown, schema: Structural | undefined, path: string, unknown: string[]): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      prune(item, schema.items, `${path}[${i}]`, unknown);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = path === '' || schema['x-kubernetes-embedded-resource'] === true;
  const additional = schema.additionalProperties;
  for (const key of Object.keys(value)) {
    const at = childPath(path, key);
    if (embedded && EMBEDDED_KEEP.has(key)) {
      if (key === 'metadata') pruneMetadata(value[key], at, unknown);
      continue;
    }
    const child = schema.properties?.[key];
    if (child) prune(value[key], child, at, unknown);
    else if (isPlainObject(additional)) prune(value[key], additional as Structural, at, unknown);
    else if (!preserve && additional !== true) {
      delete value[key];
      unknown.push(at);
    }
  }
}

function pruneMetadata(metadata: unknown, path: string, unknown: string[]): void {
  if (!isPlainObject(metadata)) return;
  for (const key of Object.keys(metadata)) {
    if (OBJECT_META.has(key)) continue;
    delete metadata[key];
    unknown.push(childPath(path, key));
  }
}

function fieldPath(instancePath: string): string {
  let path = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(segment) ? `[${segment}]` : `${path === '' ? '' : '.'}${segment}`;
  }
  return path;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function render(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function cause(error: ErrorObject): StatusCause {
  const field = fieldPath(error.instancePath);
  const at = field || '<root>';
  switch (error.keyword) {
    case 'required': {
      const missing = String(error.params.missingProperty);
      return {
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: field ? `${field}.${missing}` : missing,
      };
    }
    case 'type': {
      const actual = jsonType(error.data);
      return {
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: "${actual}": ${at} in body must be of type ${String(error.params.type)}: "${actual}"`,
        field: at,
      };
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(render).join(', ');
      return {
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${render(error.data)}: supported values: ${allowed}`,
        field: at,
      };
    }
    case 'pattern':
      return {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${render(error.data)}: ${at} in body should match '${String(error.params.pattern)}'`,
        field: at,
      };
    default:
      return {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${render(error.data)}: ${at} in body ${error.message ?? 'is invalid'}`,
        field: at,
      };
  }
}

/** The branches of an anyOf/oneOf say nothing useful on their own; the anyOf error itself does. */
function isBranchError(error: ErrorObject): boolean {
  return /\/(anyOf|oneOf)\/\d+\//.test(error.schemaPath);
}

export interface SchemaResult {
  /** Field errors (empty when valid). */
  causes: StatusCause[];
  /** Paths of the fields pruning dropped, in document order. */
  unknownFields: string[];
}

/** Drops, in place, the fields `schema` does not know; returns their paths. */
export function pruneUnknownFields(schema: object, object: Record<string, unknown>): string[] {
  const unknownFields: string[] = [];
  prune(object, schema as Structural, '', unknownFields);
  return unknownFields;
}

/** Prunes, defaults and validates `object` in place against a CRD openAPIV3Schema. */
export function applySchema(schema: object, object: Record<string, unknown>): SchemaResult {
  const unknownFields = pruneUnknownFields(schema, object);
  const validate = validatorFor(schema);
  if (validate(object)) return { causes: [], unknownFields };
  return { causes: (validate.errors ?? []).filter((e) => !isBranchError(e)).map(cause), unknownFields };
}
