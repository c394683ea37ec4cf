/**
 * AWS SDK v3 failures mapped onto the product's error hierarchy, so stage use cases and the API
 * handle a lost DynamoDB race or an S3 throttle exactly like their local equivalents. The SDK
 * error is always kept as `cause` for the logs.
 */
import { ConfigError, ConflictError, NotFoundError, TransientError, UpgraderError } from '#domain/errors.ts';

interface SdkErrorShape {
  name?: string;
  message?: string;
  $retryable?: unknown;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'TransactionInProgressException',
  'ServiceUnavailable',
  'InternalServerError',
  'InternalError',
  'KMSThrottlingException',
  'TimeoutError',
]);

const NOT_FOUND = new Set([
  'NoSuchKey',
  'NotFound',
  'NoSuchBucket',
  'ResourceNotFoundException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
]);

const PERMISSION = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
]);

export function awsErrorName(error: unknown): string | undefined {
  return (error as SdkErrorShape | undefined)?.name;
}

export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

export function isTransientAwsError(error: unknown): boolean {
  const shape = error as SdkErrorShape | undefined;
  const status = httpStatusOf(error);
  return (
    THROTTLING.has(shape?.name ?? '') ||
    Boolean(shape?.$retryable) ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'].includes((error as { code?: string })?.code ?? '')
  );
}

/** `what` names the operation and resource in words, e.g. "update job 0193..." */
export function mapAwsError(error: unknown, what: string): UpgraderError {
  if (error instanceof UpgraderError) return error;
  const name = awsErrorName(error) ?? 'Error';
  const said = (error as SdkErrorShape | undefined)?.message ?? String(error);
  const options = { cause: error, details: { awsError: name } };
  if (name === 'ConditionalCheckFailedException' || name === 'PreconditionFailed') {
    return new ConflictError(`${what}: lost a conditional write`, options);
  }
  if (isTransientAwsError(error)) {
    return new TransientError(`${what}: ${name} (${said}); retry later`, options);
  }
  if (NOT_FOUND.has(name)) return new NotFoundError(`${what}: ${name}`, options);
  if (PERMISSION.has(name)) {
    return new ConfigError(`${what}: ${name}; check the function's IAM grants and credentials`, options);
  }
  return new UpgraderError('AWS_ERROR', `${what}: ${name}: ${said}`, options);
}

export interface CancellationReason {
  Code?: string;
  /** Low-level AttributeValues: the document client does not unmarshall errors. */
  Item?: Record<string, { S?: string }>;
}

/** Why each item of a cancelled DynamoDB transaction failed; undefined for any other error. */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (awsErrorName(error) !== 'TransactionCanceledException') return undefined;
  return (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
}

/** A conditional write refused on its condition: a put's, or that of a transaction's first item. */
export function firstConditionFailed(error: unknown): boolean {
  return (
    awsErrorName(error) === 'ConditionalCheckFailedException' ||
    cancellationReasons(error)?.[0]?.Code === 'ConditionalCheckFailed'
  );
}
