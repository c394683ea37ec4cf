/**
 * One error hierarchy for the whole product. Every error we raise on purpose carries a stable
 * `code` that users and scripts can match on; HTTP status and CLI exit code are derived from the
 * class in exactly one place each (the API's error mapper and the CLI's exit mapper).
 */
export interface ErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class UpgraderError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** The caller's input is malformed (bad version string, bad body, bad flag). */
export class ValidationError extends UpgraderError {
  constructor(message: string, options: ErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'VALIDATION_FAILED', message, options);
  }
}

/** A catalog file that does not satisfy the catalog contract; refused as a whole. */
export class CatalogError extends UpgraderError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('INVALID_CATALOG', message, options);
  }
}

export const PLAN_ERROR_CODES = [
  'INVALID_VERSION',
  'UNKNOWN_VERSION',
  'DOWNGRADE',
  'BLOCKED_VERSION',
  'PLATFORM_UNSUPPORTED',
  'NO_PATH',
] as const;
export type PlanErrorCode = (typeof PLAN_ERROR_CODES)[number];

/** The planner could not produce a supported upgrade path. */
export class PlanError extends UpgraderError {
  declare readonly code: PlanErrorCode;
  constructor(code: PlanErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, options);
  }
}

export class NotFoundError extends UpgraderError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('NOT_FOUND', message, options);
  }
}

/** A write lost a race (stale version, an active job already exists, resource changed). */
export class ConflictError extends UpgraderError {
  constructor(message: string, options: ErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'CONFLICT', message, options);
  }
}

export class UnauthorizedError extends UpgraderError {
  constructor(message = 'missing or invalid bearer token', options: ErrorOptions = {}) {
    super('UNAUTHORIZED', message, options);
  }
}

/** A remote dependency failed in a way that may succeed later (429, 5xx, timeout). */
export class TransientError extends UpgraderError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('TRANSIENT', message, options);
  }
}

/** A stored record that does not have its shape: damaged, or written by a newer release. */
export class UnreadableRecordError extends UpgraderError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('UNREADABLE_RECORD', message, options);
  }
}

/** Our own configuration (environment, flags, files we were pointed at) is unusable. */
export class ConfigError extends UpgraderError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('INVALID_CONFIG', message, options);
  }
}

/** What a caught value says: an Error's message, anything else (a thrown string, a rejection value) as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
