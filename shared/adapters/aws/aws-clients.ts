/**
 * The AWS SDK v3 clients, built once per cold start and reused by every invocation. `endpoint`
 * points all of them at local emulators in tests (fauxqs, dynalite).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface AwsClientOptions {
  region?: string;
  /** Per-service endpoints for emulators; unset in production. */
  endpoints?: { sqs?: string; s3?: string; dynamodb?: string; secretsManager?: string };
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface AwsClients {
  sqs: SQSClient;
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
  secrets: SecretsManagerClient;
}

export function makeAwsClients(options: AwsClientOptions = {}): AwsClients {
  const base = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 3,
  };
  const endpoint = (url: string | undefined) => (url ? { endpoint: url } : {});
  return {
    sqs: new SQSClient({ ...base, ...endpoint(options.endpoints?.sqs) }),
    // Path-style only for emulators (an explicit endpoint, or the SDK's AWS_ENDPOINT_URL_S3),
    // whose hostnames carry no bucket subdomains.
    s3: new S3Client({
      ...base,
      ...endpoint(options.endpoints?.s3),
      ...(options.endpoints?.s3 || process.env.AWS_ENDPOINT_URL_S3 ? { forcePathStyle: true } : {}),
    }),
    dynamo: DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...base, ...endpoint(options.endpoints?.dynamodb) }),
      {
        marshallOptions: { removeUndefinedValues: true },
      },
    ),
    secrets: new SecretsManagerClient({ ...base, ...endpoint(options.endpoints?.secretsManager) }),
  };
}
