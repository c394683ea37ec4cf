/** The query parameters of a write (`dryRun`, `fieldValidation`, `fieldManager`, `force`), as the apiserver reads them. */
import type { ApplyRequest } from '#sim/api/server-side-apply.ts';
import { badRequest } from '#sim/store/api-error.ts';
import { FIELD_VALIDATIONS, type FieldValidation, type WriteOptions } from '#sim/store/write-options.ts';

export interface WriteRequest extends ApplyRequest {
  /** With `warnings` always collected, for the Warning headers. */
  options: WriteOptions & { warnings: string[] };
}

const MAX_FIELD_MANAGER = 128;

export function writeRequest(url: URL): WriteRequest {
  const dryRun = url.searchParams.getAll('dryRun');
  for (const value of dryRun) {
    if (value !== 'All') throw badRequest(`dryRun: Unsupported value: "${value}": supported values: "All"`);
  }
  const validation = url.searchParams.get('fieldValidation') ?? 'Warn';
  if (!FIELD_VALIDATIONS.includes(validation as FieldValidation)) {
    throw badRequest(
      `fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`,
    );
  }
  const fieldManager = url.searchParams.get('fieldManager') ?? undefined;
  if (fieldManager !== undefined && fieldManager.length > MAX_FIELD_MANAGER) {
    throw badRequest(`fieldManager: Too long: may not be more than ${MAX_FIELD_MANAGER} bytes`);
  }
  return {
    options: { dryRun: dryRun.length > 0, fieldValidation: validation as FieldValidation, warnings: [] },
    fieldManager,
    force: url.searchParams.get('force') === 'true',
  };
}

/** RFC 7234 warn-codes as the apiserver sends them: `299 - "text"`, one header value each. */
export function warningHeaders(warnings: string[]): Record<string, string[]> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}
