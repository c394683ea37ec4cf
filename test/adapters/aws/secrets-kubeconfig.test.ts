import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsManagerKubeconfigs } from '#adapters/aws/secrets-kubeconfig.ts';
import { kubeConfigFromText } from '#adapters/kube/kube-config-text.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:kube-region-1';
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: region-1, cluster: { server: "https://platform.example/kubernetes/region-1" } }]
users: [{ name: u, user: { token: "s3cr3t-token" } }]
contexts: [{ name: region-1, context: { cluster: region-1, user: u } }]
current-context: region-1
`;

// The Secrets Manager JSON protocol is small enough to serve here: GetSecretValue by SecretId.
let server: Server;
let calls = 0;
let secretText = KUBECONFIG;
let client: SecretsManagerClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      calls++;
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      if (SecretId !== ARN) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN, Name: 'kube-region-1', SecretString: secretText }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Secrets Manager kubeconfigs', () => {
  const cluster = { name: 'region-1', kubeconfigSecretArn: ARN, labels: {} };

  it('reads the kubeconfig by the ARN on the cluster record and caches it for the TTL', async () => {
    let now = 0;
    const source = secretsManagerKubeconfigs({ client, clock: { now: () => new Date(now) }, ttlMs: 60_000 });
    calls = 0;

    const config = await kubeConfigFromText(source)(cluster);
    await source(cluster);
    now = 61_000;
    await source(cluster);

    expect(config.getCurrentCluster()?.server).toBe('https://platform.example/kubernetes/region-1');
    expect(calls).toBe(2);
  });

  it('refuses a cluster without a secret ARN, and never echoes secret text in errors', async () => {
    const source = secretsManagerKubeconfigs({ client, clock: { now: () => new Date() } });
    secretText = 'token: s3cr3t-token\n  - : [broken';

    const missing = await source({ name: 'bare', labels: {} }).catch((caught: Error) => caught);
    const broken = (await kubeConfigFromText(source)(cluster).catch((caught: unknown) => caught)) as Error;
    const unknown = await source({ ...cluster, kubeconfigSecretArn: `${ARN}-gone` }).catch(
      (caught: Error) => caught,
    );
    secretText = KUBECONFIG;

    expect(missing).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(broken).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(broken.message).not.toContain('s3cr3t');
    expect(unknown).toMatchObject({ code: 'NOT_FOUND' });
  });
});
