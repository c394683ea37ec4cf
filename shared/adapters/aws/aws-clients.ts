/**
 * All four AWS SDK clients at once, for tests against the emulators (fauxqs, dynalite). The
 * Lambda entries never import this: each builds only the clients its adapters need.
 */

import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsClientOptions } from './aws-client-config.ts';
import { makeDynamoClient } from './dynamo-client.ts';
import { makeS3Client } from './s3-client.ts';
import { makeSecretsClient } from './secrets-kubeconfig.ts';
import { makeSqsClient } from './sqs-queue.ts';

export type { AwsClientOptions } from './aws-client-config.ts';

export interface AwsClients {
  sqs: SQSClient;
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
  secrets: SecretsManagerClient;
}

export function makeAwsClients(options: AwsClientOptions = {}): AwsClients {
  return {
    sqs: makeSqsClient(options),
    s3: makeS3Client(options),
    dynamo: makeDynamoClient(options),
    secrets: makeSecretsClient(options),
  };
}
