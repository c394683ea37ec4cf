/**
 * What every AWS SDK client of this project shares: region, credentials, three attempts, and in
 * tests an emulator endpoint. Each client is made next to the adapter that uses it
 * (makeSqsClient, makeDynamoClient, makeS3Client, makeSecretsClient), so a function loads only
 * the SDK clients its own adapters import: notify loads neither S3 nor Secrets Manager.
 */
export interface AwsClientOptions {
  region?: string;
  /** Per-service endpoints for emulators; unset in production. */
  endpoints?: { sqs?: string; s3?: string; dynamodb?: string; secretsManager?: string };
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function clientConfig(
  options: AwsClientOptions,
  service: keyof NonNullable<AwsClientOptions['endpoints']>,
) {
  const endpoint = options.endpoints?.[service];
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 3,
    ...(endpoint ? { endpoint } : {}),
  };
}
