import { apiVersionOf, type ResourceType } from '#sim/resource-types.ts';
import { badRequest } from '#sim/store/api-error.ts';

/** The apiserver's `fieldValidation` query parameter. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export const FIELD_VALIDATIONS: readonly FieldValidation[] = ['Strict', 'Warn', 'Ignore'];

/** How one write is made: what the request's query parameters ask of the apiserver. */
export interface WriteOptions {
  /** How fields the schema prunes are answered; in-process writers (controllers) default to Ignore. */
  fieldValidation?: FieldValidation;
  /** `dryRun=All`: validate and answer as if written, store nothing, notify nobody. */
  dryRun?: boolean;
  /** Collects the request's warnings (the `Warning` response headers). */
  warnings?: string[];
}

/**
 * Unknown (pruned) fields as the apiserver answers them: Strict refuses the write with 400 before
 * validation, Warn writes and warns once per field, Ignore drops them silently.
 */
export function answerUnknownFields(t: ResourceType, unknownFields: string[], options: WriteOptions): void {
  if (unknownFields.length === 0) return;
  const found = unknownFields.map((path) => `unknown field "${path}"`);
  if (options.fieldValidation === 'Strict') {
    const version = apiVersionOf(t).split('/').at(-1);
    throw badRequest(
      `${t.kind} in version "${version}" cannot be handled as a ${t.kind}: strict decoding error: ${found.join(', ')}`,
    );
  }
  if (options.fieldValidation === 'Warn') options.warnings?.push(...found);
}
