/** The S3 client of the catalog and the artifact store. */
import { S3Client } from '@aws-sdk/client-s3';
import { type AwsClientOptions, clientConfig } from './aws-client-config.ts';

export function makeS3Client(options: AwsClientOptions = {}): S3Client {
  // Path-style only for emulators (an explicit endpoint, or the SDK's AWS_ENDPOINT_URL_S3),
  // whose hostnames carry no bucket subdomains.
  const emulated = options.endpoints?.s3 || process.env.AWS_ENDPOINT_URL_S3;
  return new S3Client({ ...clientConfig(options, 's3'), ...(emulated ? { forcePathStyle: true } : {}) });
}
