/**
 * Issue 5's done-when: the production wiring, end to end. The real Lambda entries
 * (functions/<name>/handler.ts, imported as Lambda would, configured only through the
 * environment the stack sets) run on emulated SQS and S3 (fauxqs), DynamoDB (dynalite) and
 * Secrets Manager, against the simulated ACP fleet with the violet shim. A small poller stands in
 * for the SQS event source mappings. One cluster on ACP 3.18.0 goes 3.16.2 -> 4.0.3 -> 4.1.2 (a major hop,
 * landing on the earliest 4.x minor first); then a small batch (issue 10) rolls two others out
 * through the rollout function: a canary, an approval, a bake, a second wave.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_ENV, queueUrlVariable } from '#adapters/aws/aws-env.ts';
import { DynamoClusterRegistry } from '#adapters/aws/dynamo-cluster-registry.ts';
import { DynamoDeliveryStore } from '#adapters/aws/dynamo-deliveries.ts';
import { DynamoJobStore } from '#adapters/aws/dynamo-job-store.ts';
import { STAGE_NAMES } from '#domain/job.ts';
import { type Fleet, startFleet } from '#sim/fleet.ts';
import { parseScenario } from '#sim/scenario.ts';
import {
  type AwsEmulators,
  startAwsEmulators,
  TEST_CREDENTIALS,
  TEST_REGION,
} from '#test/adapters/aws/support/emulators.ts';
import {
  type FakeSecretsManager,
  startFakeSecretsManager,
} from '#test/adapters/aws/support/secrets-manager.ts';
import { QUEUE_NAMES } from '#usecases/consumer-row.ts';
import { deliveryId } from '#usecases/webhook-fan-out.ts';
import { type EventSource, lambdaContext, pollOnce, type SqsLambda } from './support/sqs-event-source.ts';

const TABLE = 'upgrader-e2e';
const BUCKET = 'upgrader-e2e-artifacts';
const CATALOG_KEY = 'catalog/catalog.json';
const CALLBACK = 'https://hooks.example.com/batches';
const SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:000000000000:secret:redis-upgrader/kubeconfig/cluster-01';
/** Every queue consumer of the consumer table (the API is HTTP-triggered). */
const CONSUMERS = QUEUE_NAMES;

let aws: AwsEmulators;
let secrets: FakeSecretsManager;
let fleet: Fleet;
const sources = new Map<string, EventSource>();
let api: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

async function publishCatalog(): Promise<void> {
  const catalog = JSON.parse(await readFile('examples/catalog.json', 'utf8')) as {
    versions: { artifact: { url: string } }[];
  };
  // The vendor's download site is the simulator's package route here.
  for (const entry of catalog.versions) {
    entry.artifact.url = `${fleet.downloadBaseUrl}/${basename(new URL(entry.artifact.url).pathname)}`;
  }
  await aws.clients.s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: CATALOG_KEY, Body: JSON.stringify(catalog) }),
  );
}

/** The environment the stack gives the functions, pointed at the emulators. */
function setFunctionEnvironment(queueUrls: Record<string, string>): void {
  Object.assign(process.env, {
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: new URL(queueUrls.notify ?? '').origin,
    AWS_ENDPOINT_URL_S3: aws.endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: aws.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    [AWS_ENV.tableName]: TABLE,
    [AWS_ENV.bucketName]: BUCKET,
    [AWS_ENV.catalogKey]: CATALOG_KEY,
    [AWS_ENV.violetPath]: 'sim/bin/violet',
    // The simulator stands in for the vendor's download site, with its per-run CA.
    [AWS_ENV.artifactCaPem]: fleet.certificateAuthority,
    // Seconds instead of the production polls, so the test waits for the simulator, not for SQS.
    [AWS_ENV.pipelineConfig]: JSON.stringify({
      pollSeconds: Object.fromEntries(STAGE_NAMES.map((stage) => [stage, 1])),
      retrySeconds: 1,
    }),
    ...Object.fromEntries(CONSUMERS.map((queue) => [queueUrlVariable(queue), queueUrls[queue]])),
  });
}

beforeAll(async () => {
  aws = await startAwsEmulators();
  await aws.createTable(TABLE);
  aws.fauxqs.createBucket(BUCKET);
  const queueUrls: Record<string, string> = {};
  for (const name of CONSUMERS) {
    const { queueUrl, queueArn } = aws.fauxqs.createQueue(`e2e-${name}`, {
      attributes: { VisibilityTimeout: '2' },
    });
    queueUrls[name] = queueUrl;
    sources.set(name, { queueUrl, queueArn, handler: undefined as unknown as SqsLambda });
  }
  fleet = await startFleet({
    port: 0,
    speed: 3000,
    scenario: parseScenario({
      clusters: { count: 3 },
      defaults: {
        installedVersion: '3.16.2',
        platformVersion: '3.18.0',
        approval: 'Manual',
        backupAge: '1h',
        syncDelay: '15m',
        installTime: '2m',
      },
    }),
  });
  secrets = await startFakeSecretsManager(new Map([[SECRET_ARN, JSON.stringify(fleet.kubeconfig)]]));
  await publishCatalog();
  // One kubeconfig secret for the platform, a context per cluster (docs/decisions/0005).
  const registry = new DynamoClusterRegistry({ client: aws.clients.dynamo, tableName: TABLE });
  for (const name of fleet.clusterNames()) {
    await registry.put({ name, kubeconfigSecretArn: SECRET_ARN, labels: {} });
  }
  setFunctionEnvironment(queueUrls);
  for (const name of CONSUMERS) {
    const entry = (await import(`../../functions/${name}/handler.ts`)) as { handler: SqsLambda };
    (sources.get(name) as EventSource).handler = entry.handler;
  }
  api = ((await import('../../functions/api/handler.ts')) as { handler: typeof api }).handler;
}, 60_000);

afterAll(async () => {
  await Promise.all([fleet?.stop(), secrets?.close(), aws?.stop()]);
});

function apiEvent(method: string, target: string, body?: unknown): APIGatewayProxyEventV2 {
  const [path = '', query = ''] = target.split('?');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    ...(query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(query)) } : {}),
    headers: { 'content-type': 'application/json' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'e2e',
      domainName: 'e2e.example',
      domainPrefix: 'e2e',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'e2e' },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

/** Runs every event source until `done` holds or the deadline passes; fails saying what it waited for. */
async function runUntil(what: string, done: () => Promise<boolean>, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    let delivered = 0;
    for (const [name, source] of sources) delivered += await pollOnce(aws.clients.sqs, source, name);
    if (await done()) return;
    if (delivered === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
}

async function runUntilFinished(jobId: string, deadlineMs: number): Promise<void> {
  const jobs = new DynamoJobStore({ client: aws.clients.dynamo, tableName: TABLE });
  await runUntil(
    `job ${jobId} to end`,
    async () =>
      ['succeeded', 'failed', 'blocked', 'cancelled'].includes((await jobs.get(jobId))?.state ?? ''),
    deadlineMs,
  );
}

async function callApi<T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const answer = await api(apiEvent(method, path, body), lambdaContext('api'));
  return { status: answer.statusCode ?? 0, body: JSON.parse(answer.body ?? '{}') as T };
}

interface BatchReply {
  id: string;
  state: string;
  reason: string;
  waves: { clusters: { name: string; state: string }[] }[];
}

describe('the pipeline on the AWS adapters', () => {
  it('upgrades a simulated cluster through a major hop', async () => {
    const cluster = fleet.clusterNames()[0] ?? '';

    const created = await api(
      apiEvent('POST', '/upgrades', { cluster, targetVersion: '4.1.2' }),
      lambdaContext('api'),
    );
    const job = JSON.parse(created.body ?? '{}') as { id: string };
    if (created.statusCode !== 202)
      throw new Error(`POST /upgrades answered ${created.statusCode}: ${created.body}`);
    await runUntilFinished(job.id, 90_000);
    const read = await api(apiEvent('GET', `/upgrades/${job.id}`), lambdaContext('api'));

    const finished = JSON.parse(read.body ?? '{}');
    expect(finished.state, finished.reason).toBe('succeeded');
    expect(finished.plan.map((hop: { to: string }) => hop.to)).toEqual(['4.0.3', '4.1.2']);
    const state = fleet.clusterState(cluster);
    expect(state.subscription?.installedCSV).toBe('redis-operator.v4.1.2');
    // Exactly one approval per hop, each of a plan for exactly that hop's CSV (3.16.2 is the seeded install).
    const approved = state.installPlans
      .filter((plan) => plan.approved)
      .map((plan) => plan.csvNames.join(','));
    expect(approved.sort()).toEqual([
      'redis-operator.v3.16.2',
      'redis-operator.v4.0.3',
      'redis-operator.v4.1.2',
    ]);
    // The job's events are its history, read back from DynamoDB: both hops, in order.
    const events = await callApi<{ items: { id: string; type: string }[] }>(
      'GET',
      `/upgrades/${job.id}/events`,
    );
    const hop = ['upgrade.uploading', 'upgrade.patching', 'upgrade.verifying'];
    expect(events.body.items.map((event) => event.type)).toEqual([
      'upgrade.queued',
      'upgrade.validating',
      'upgrade.checking-backup',
      ...hop,
      ...hop,
      'upgrade.succeeded',
    ]);
    expect(events.body.items.map((event) => event.id)).toEqual(
      events.body.items.map((_, index) => `${job.id}:${index}`),
    );
  }, 120_000);

  it('rolls a small batch out through the rollout function: canary, approval, bake, the next wave; its events fan out to its callbackUrl', async () => {
    // Prepare: the two clusters the first test left alone
    const [, first, second] = fleet.clusterNames();
    const batchState = async (id: string) => (await callApi<BatchReply>('GET', `/batches/${id}`)).body;
    // The deliveries themselves are the delivery function's (tested in test/webhooks): left queued here.
    sources.delete('webhook-delivery');

    // Act
    const created = await callApi<BatchReply>('POST', '/batches', {
      targetVersion: '4.0.3',
      clusters: [first, second],
      strategy: { canary: 1, waveSize: 1, bakeSeconds: 1, approval: 'after-canary' },
      callbackUrl: CALLBACK,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.id;
    await runUntil(
      'the canary to finish and the batch to ask for approval',
      async () => {
        return (await batchState(id)).state === 'awaiting-approval';
      },
      60_000,
    );
    const atApproval = await batchState(id);
    const approved = await callApi<BatchReply>('POST', `/batches/${id}/approve`, {});
    await runUntil(
      'the batch to end',
      async () => {
        return ['succeeded', 'completed-with-failures', 'halted', 'cancelled'].includes(
          (await batchState(id)).state,
        );
      },
      60_000,
    );

    // Assess
    expect(atApproval.waves.map((wave) => wave.clusters.map((c) => [c.name, c.state]))).toEqual([
      [[first, 'succeeded']],
      [[second, 'pending']],
    ]);
    expect(approved.status).toBe(202);
    const finished = await batchState(id);
    expect(finished.state, finished.reason).toBe('succeeded');
    for (const name of [first, second]) {
      expect(fleet.clusterState(name ?? '').subscription?.installedCSV).toBe('redis-operator.v4.0.3');
    }
    const jobs = await callApi<{ items: { cluster: string }[] }>('GET', `/upgrades?batch=${id}`);
    expect(jobs.body.items.map((job) => job.cluster).sort()).toEqual([first, second].sort());
    const events = (await callApi<{ items: { id: string; type: string }[] }>('GET', `/batches/${id}/events`))
      .body;
    const deliveries = new DynamoDeliveryStore({ client: aws.clients.dynamo, tableName: TABLE });
    const fannedOut = await Promise.all(
      events.items.map((event) => deliveries.get(deliveryId(event.id, { url: CALLBACK }))),
    );
    expect(events.items.map((event) => event.type)).toContain('batch.completed');
    expect(fannedOut.map((delivery) => delivery?.eventId)).toEqual(events.items.map((event) => event.id));
  }, 150_000);
});
