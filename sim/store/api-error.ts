import { qualifiedKind, qualifiedResource, type ResourceType } from '#sim/resource-types.ts';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** A Kubernetes `Status` object, the body every apiserver error carries. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** An error the simulated apiserver returns; the HTTP layer renders `status` as the response body. */
export class SimApiError extends Error {
  readonly status: KubeStatus;

  constructor(code: number, reason: string, message: string, details?: KubeStatus['details']) {
    super(message);
    this.name = 'SimApiError';
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    };
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): string {
    return this.status.reason;
  }
}

function details(t: ResourceType, name: string): KubeStatus['details'] {
  return { name, group: t.group, kind: t.plural };
}

export function notFound(t: ResourceType, name: string): SimApiError {
  return new SimApiError(404, 'NotFound', `${qualifiedResource(t)} "${name}" not found`, details(t, name));
}

export function alreadyExists(t: ResourceType, name: string): SimApiError {
  return new SimApiError(
    409,
    'AlreadyExists',
    `${qualifiedResource(t)} "${name}" already exists`,
    details(t, name),
  );
}

export function conflict(t: ResourceType, name: string): SimApiError {
  return new SimApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(t, name),
  );
}

/** 422 naming each field at fault, formatted like apiserver field errors. */
export function invalid(t: ResourceType, name: string, causes: StatusCause[]): SimApiError {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new SimApiError(422, 'Invalid', `${qualifiedKind(t)} "${name}" is invalid: ${summary}`, {
    name,
    group: t.group,
    kind: t.kind,
    causes,
  });
}

export function badRequest(message: string): SimApiError {
  return new SimApiError(400, 'BadRequest', message);
}

/** A watch or continue token from before the retained history (HTTP 410 Gone). */
export function expired(message: string): SimApiError {
  return new SimApiError(410, 'Expired', message);
}
