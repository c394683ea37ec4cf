/**
 * The upload function on AWS: the stage ports plus the package downloader, the S3 artifact store
 * (lib-storage's multipart Upload, loaded by this function alone) and violet, whose pushes of one
 * package to clusters of one platform within a Lambda batch go as one run.
 */
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { VioletUploader } from '#adapters/kube/violet-uploader.ts';
import { HttpArtifactDownloader } from '#adapters/local/http-artifact-downloader.ts';
import { invocationDeadline } from '#adapters/record-processor.ts';
import { type AwsRuntimeConfig, required } from './aws-config.ts';
import { lazily, systemClock } from './aws-core-deps.ts';
import { AWS_ENV, VIOLET_COMMIT_MARGIN_SECONDS } from './aws-env.ts';
import { buildStageDeps } from './aws-stage-deps.ts';
import type { Observed } from './lambda-observability.ts';
import { S3ArtifactStore } from './s3-artifact-store.ts';
import { makeS3Client } from './s3-client.ts';

/**
 * The mirror's CA joins this process's default CAs, as NODE_EXTRA_CA_CERTS would at start: Node's
 * fetch takes no CA of its own, and a fetch that does (fetch-trusting.ts, the local runtime's)
 * brings undici's 0.7 MB into the bundle. A Lambda function is a process of its own, so the
 * wider trust reaches only this function's connections that name no CA (cluster connections name theirs).
 */
function trustAlso(caPem: string): void {
  setDefaultCACertificates([...getCACertificates('default'), caPem]);
}

export function buildUploadDeps(config: AwsRuntimeConfig, observed: Observed, clock = systemClock) {
  if (config.artifactCaPem) trustAlso(config.artifactCaPem);
  const stage = buildStageDeps(config, observed, clock);
  // Downloads and pushes end before the invocation does, with time left to record the outcome: a
  // Lambda timeout would fail every upload message of the batch.
  const withinInvocation = { deadline: invocationDeadline, marginMs: VIOLET_COMMIT_MARGIN_SECONDS * 1000 };
  const withArtifacts = lazily(
    Object.assign(stage, {
      downloader: new HttpArtifactDownloader(withinInvocation),
      uploader: new VioletUploader({
        violet: config.violetPath,
        target: (cluster) => stage.gateway.platformTarget(cluster),
        timeoutMs: config.violetTimeoutSeconds * 1000,
        ...withinInvocation,
      }),
    }),
    'artifacts',
    () => {
      const s3 = makeS3Client();
      observed.tracer.captureAWSv3Client(s3);
      return new S3ArtifactStore({ client: s3, bucket: required(config.bucketName, AWS_ENV.bucketName) });
    },
  );
  return withArtifacts;
}
