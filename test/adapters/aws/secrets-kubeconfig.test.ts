import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsManagerKubeconfigs } from '#adapters/aws/secrets-kubeconfig.ts';
import { KubeClusterGateway } from '#adapters/kube/kube-cluster-gateway.ts';
import { kubeConfigFromText } from '#adapters/kube/kube-config-text.ts';
import { platformKubeconfig, startTokenApiServer } from '#test/adapters/kube/support/token-api-server.ts';
import { type FakeSecretsManager, startFakeSecretsManager } from './support/secrets-manager.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:kube-region-1';
const PLATFORM_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:kube-platform-acp-east';
/** docs/decisions/0005: one secret per platform, a context per cluster, the platform token once. */
const PLATFORM_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - { name: east-1, cluster: { server: "https://acp-east.example/kubernetes/east-1" } }
  - { name: east-2, cluster: { server: "https://acp-east.example/kubernetes/east-2" } }
users: [{ name: acp-east, user: { token: "platform-token" } }]
contexts:
  - { name: east-1, context: { cluster: east-1, user: acp-east } }
  - { name: east-2, context: { cluster: east-2, user: acp-east } }
`;
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: region-1, cluster: { server: "https://platform.example/kubernetes/region-1" } }]
users: [{ name: u, user: { token: "s3cr3t-token" } }]
contexts: [{ name: region-1, context: { cluster: region-1, user: u } }]
current-context: region-1
`;

let secretsManager: FakeSecretsManager;
let client: SecretsManagerClient;

beforeAll(async () => {
  secretsManager = await startFakeSecretsManager(
    new Map([
      [ARN, KUBECONFIG],
      [PLATFORM_ARN, PLATFORM_KUBECONFIG],
    ]),
  );
  client = new SecretsManagerClient({
    endpoint: secretsManager.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(() => secretsManager.close());

describe('Secrets Manager kubeconfigs', () => {
  const cluster = { name: 'region-1', kubeconfigSecretArn: ARN, labels: {} };

  it('reads the kubeconfig by the ARN on the cluster record and caches it for the TTL', async () => {
    let now = 0;
    const source = secretsManagerKubeconfigs({ client, clock: { now: () => new Date(now) }, ttlMs: 60_000 });
    const before = secretsManager.calls();

    const config = await kubeConfigFromText(source)(cluster);
    await source(cluster);
    now = 61_000;
    await source(cluster);

    expect(config.server).toBe('https://platform.example/kubernetes/region-1');
    expect(secretsManager.calls() - before).toBe(2);
  });

  it('serves every cluster of a platform from one secret, read once per TTL', async () => {
    const source = secretsManagerKubeconfigs({ client, clock: { now: () => new Date(0) }, ttlMs: 60_000 });
    const gateway = new KubeClusterGateway(kubeConfigFromText(source));
    const before = secretsManager.calls();

    const targets = await Promise.all(
      ['east-1', 'east-2'].map((name) =>
        gateway.platformTarget({ name, kubeconfigSecretArn: PLATFORM_ARN, labels: {} }),
      ),
    );

    expect(targets.map((t) => [t.address, t.cluster, t.token])).toEqual([
      ['https://acp-east.example', 'east-1', 'platform-token'],
      ['https://acp-east.example', 'east-2', 'platform-token'],
    ]);
    expect(secretsManager.calls() - before).toBe(1);
  });

  it('reaches a cluster with the rotated platform token once the cached secret expires, the old token revoked', async () => {
    const api = await startTokenApiServer();
    const rotating = `${PLATFORM_ARN}-rotating`;
    secretsManager.secrets.set(rotating, platformKubeconfig(api.url, 'old-token', ['c1']));
    let now = 0;
    const source = secretsManagerKubeconfigs({ client, clock: { now: () => new Date(now) }, ttlMs: 60_000 });
    const gateway = new KubeClusterGateway(kubeConfigFromText(source));
    const record = { name: 'c1', kubeconfigSecretArn: rotating, labels: {} };
    api.accept('old-token');
    await (await gateway.forCluster(record)).readPlatformVersion();

    secretsManager.secrets.set(rotating, platformKubeconfig(api.url, 'new-token', ['c1']));
    api.accept('new-token');
    now = 3_600_000;
    const version = await (await gateway.forCluster(record))
      .readPlatformVersion()
      .finally(() => Promise.all([gateway.close(), api.close()]));

    expect(version).toBe('3.18.2');
    expect(api.authorizations.at(-1)).toBe('Bearer new-token');
  });

  it('refuses a cluster without a secret ARN, and never echoes secret text in errors', async () => {
    const source = secretsManagerKubeconfigs({ client, clock: { now: () => new Date() } });
    secretsManager.secrets.set(ARN, 'token: s3cr3t-token\n  - : [broken');

    const missing = await source({ name: 'bare', labels: {} }).catch((caught: unknown) => caught);
    const broken = (await kubeConfigFromText(source)(cluster).catch((caught: unknown) => caught)) as Error;
    const unknown = await source({ ...cluster, kubeconfigSecretArn: `${ARN}-gone` }).catch(
      (caught: unknown) => caught,
    );
    secretsManager.secrets.set(ARN, KUBECONFIG);

    expect(missing).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(broken).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(broken.message).not.toContain('s3cr3t');
    expect(unknown).toMatchObject({ code: 'NOT_FOUND' });
  });
});
