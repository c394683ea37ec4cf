import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectStatus,
  MERGE_PATCH,
  type SimApi,
  SUBSCRIPTIONS,
  startSimApi,
  subscription,
} from '#test/sim/api/sim-api-fixture.ts';

const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

type Obj = {
  metadata: {
    name: string;
    resourceVersion: string;
    generation?: number;
    uid?: string;
    creationTimestamp?: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

let sim: SimApi;
let custom: CustomObjectsApi;
let core: CoreV1Api;

beforeAll(async () => {
  sim = await startSimApi([{ name: 'east' }]);
  custom = sim.kubeConfig('east').makeApiClient(CustomObjectsApi);
  core = sim.kubeConfig('east').makeApiClient(CoreV1Api);
});
afterAll(() => sim.close());

describe('custom resources over client-node', () => {
  it('creates, reads, replaces and deletes a Subscription with apiserver metadata', async () => {
    // Prepare
    const created = (await custom.createNamespacedCustomObject({
      ...SUBSCRIPTIONS,
      body: subscription('crud-a'),
    })) as Obj;

    // Act
    const read = (await custom.getNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'crud-a' })) as Obj;
    const replaced = (await custom.replaceNamespacedCustomObject({
      ...SUBSCRIPTIONS,
      name: 'crud-a',
      body: { ...read, spec: { ...read.spec, channel: 'v4' } },
    })) as Obj;
    const deleted = (await custom.deleteNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'crud-a' })) as Obj;
    const gone = await expectStatus(() =>
      custom.getNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'crud-a' }),
    );

    // Assess
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.generation).toBe(1);
    expect(read.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(replaced.spec?.channel).toBe('v4');
    expect(replaced.metadata.generation).toBe(2);
    expect(Number(replaced.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    expect(deleted.metadata.name).toBe('crud-a');
    expect(gone).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'subscriptions.operators.coreos.com "crud-a" not found',
    });
  });

  it('answers a duplicate create with 409 AlreadyExists and a create carrying a resourceVersion with 400', async () => {
    // Prepare
    await custom.createNamespacedCustomObject({ ...SUBSCRIPTIONS, body: subscription('dup') });

    // Act
    const status = await expectStatus(() =>
      custom.createNamespacedCustomObject({ ...SUBSCRIPTIONS, body: subscription('dup') }),
    );

    const withVersion = await expectStatus(() =>
      custom.createNamespacedCustomObject({
        ...SUBSCRIPTIONS,
        body: {
          ...subscription('dup-2'),
          metadata: { name: 'dup-2', namespace: 'redis-system', resourceVersion: '5' },
        },
      }),
    );

    // Assess
    expect(status).toMatchObject({ code: 409, reason: 'AlreadyExists', kind: 'Status' });
    expect(withVersion).toMatchObject({
      code: 400,
      message: 'resourceVersion should not be set on objects to be created',
    });
  });

  it('rejects a Subscription the CRD schema forbids with 422 naming the fields', async () => {
    // Act
    const status = await expectStatus(() =>
      custom.createNamespacedCustomObject({
        ...SUBSCRIPTIONS,
        body: subscription('bad', { installPlanApproval: 5, source: undefined }),
      }),
    );

    // Assess
    expect(status.code).toBe(422);
    expect(status.reason).toBe('Invalid');
    expect(status.message).toBe(
      'Subscription.operators.coreos.com "bad" is invalid: [spec.source: Required value, spec.installPlanApproval: Invalid value: "integer": spec.installPlanApproval in body must be of type string: "integer"]',
    );
    expect(status.details).toMatchObject({
      causes: [
        { field: 'spec.source', reason: 'FieldValueRequired' },
        { field: 'spec.installPlanApproval', reason: 'FieldValueTypeInvalid' },
      ],
    });
  });

  it('prunes fields the schema does not know, like a structural schema', async () => {
    // Act
    const created = (await custom.createNamespacedCustomObject({
      ...SUBSCRIPTIONS,
      body: subscription('pruned', { notAField: 'x' }),
    })) as Obj;

    // Assess
    expect(created.spec).not.toHaveProperty('notAField');
  });

  it('refuses a replace without resourceVersion (422) and with a stale one (409)', async () => {
    // Prepare
    const first = (await custom.createNamespacedCustomObject({
      ...SUBSCRIPTIONS,
      body: subscription('occ'),
    })) as Obj;
    await custom.patchNamespacedCustomObject(
      { ...SUBSCRIPTIONS, name: 'occ', body: { spec: { channel: 'v2' } } },
      MERGE_PATCH,
    );
    const { resourceVersion: _rv, ...withoutRv } = first.metadata;

    // Act
    const unconditional = await expectStatus(() =>
      custom.replaceNamespacedCustomObject({
        ...SUBSCRIPTIONS,
        name: 'occ',
        body: { ...first, metadata: withoutRv },
      }),
    );
    const stale = await expectStatus(() =>
      custom.replaceNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'occ', body: first }),
    );
    const stalePatch = await expectStatus(() =>
      custom.patchNamespacedCustomObject(
        {
          ...SUBSCRIPTIONS,
          name: 'occ',
          body: { metadata: { resourceVersion: first.metadata.resourceVersion }, spec: { channel: 'x' } },
        },
        MERGE_PATCH,
      ),
    );

    // Assess
    expect(unconditional).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(unconditional.message).toContain(
      'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    );
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(stale.message).toContain('the object has been modified');
    expect(stalePatch).toMatchObject({ code: 409, reason: 'Conflict' });
  });

  it('applies JSON patch and merge patch, and refuses strategic merge on a custom resource with 415', async () => {
    // Prepare
    await custom.createNamespacedCustomObject({ ...SUBSCRIPTIONS, body: subscription('patchy') });

    // Act
    const jsonPatched = (await custom.patchNamespacedCustomObject({
      ...SUBSCRIPTIONS,
      name: 'patchy',
      body: [{ op: 'replace', path: '/spec/channel', value: 'json' }],
    })) as Obj;
    const merged = (await custom.patchNamespacedCustomObject(
      {
        ...SUBSCRIPTIONS,
        name: 'patchy',
        body: { spec: { startingCSV: 'redis-operator.v3.16.2', channel: null } },
      },
      MERGE_PATCH,
    )) as Obj;
    const strategic = await expectStatus(() =>
      custom.patchNamespacedCustomObject(
        { ...SUBSCRIPTIONS, name: 'patchy', body: { spec: { channel: 's' } } },
        STRATEGIC,
      ),
    );
    const failedTest = await expectStatus(() =>
      custom.patchNamespacedCustomObject({
        ...SUBSCRIPTIONS,
        name: 'patchy',
        body: [{ op: 'test', path: '/spec/channel', value: 'nope' }],
      }),
    );

    // Assess
    expect(jsonPatched.spec?.channel).toBe('json');
    expect(merged.spec?.startingCSV).toBe('redis-operator.v3.16.2');
    expect(merged.spec).not.toHaveProperty('channel');
    expect(strategic.code).toBe(415);
    expect(strategic.reason).toBe('UnsupportedMediaType');
    expect(failedTest.code).toBe(422);
  });

  it('serves /status separately: main writes keep status, status writes keep spec and generation', async () => {
    // Prepare
    await custom.createNamespacedCustomObject({
      ...SUBSCRIPTIONS,
      body: { ...subscription('st'), status: { lastUpdated: '2024-01-01T00:00:00Z', state: 'Ignored' } },
    });

    // Act
    const afterCreate = (await custom.getNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'st' })) as Obj;
    const statusPatched = (await custom.patchNamespacedCustomObjectStatus(
      {
        ...SUBSCRIPTIONS,
        name: 'st',
        body: {
          status: { lastUpdated: '2024-01-02T00:00:00Z', state: 'AtLatestKnown' },
          spec: { channel: 'no' },
        },
      },
      MERGE_PATCH,
    )) as Obj;
    const mainPatched = (await custom.patchNamespacedCustomObject(
      { ...SUBSCRIPTIONS, name: 'st', body: { status: { state: 'UpgradeFailed' } } },
      MERGE_PATCH,
    )) as Obj;
    const status = (await custom.getNamespacedCustomObjectStatus({ ...SUBSCRIPTIONS, name: 'st' })) as Obj;
    const invalidStatus = await expectStatus(() =>
      custom.replaceNamespacedCustomObjectStatus({
        ...SUBSCRIPTIONS,
        name: 'st',
        body: { ...status, status: { state: 'AtLatestKnown' } },
      }),
    );

    // Assess
    expect(afterCreate.status).toBeUndefined();
    expect(statusPatched.status?.state).toBe('AtLatestKnown');
    expect(statusPatched.spec?.channel).toBe('stable');
    expect(statusPatched.metadata.generation).toBe(1);
    expect(mainPatched.status?.state).toBe('AtLatestKnown');
    expect(status.status?.lastUpdated).toBe('2024-01-02T00:00:00Z');
    expect(invalidStatus.message).toContain('status.lastUpdated: Required value');
  });

  it('serves a cluster-scoped kind under two versions from one storage', async () => {
    // Prepare
    const base = {
      apiVersion: 'product.alauda.io/v1alpha2',
      kind: 'ProductBase',
      metadata: { name: 'base' },
      spec: {
        defaultAdmin: { account: 'admin', email: 'a@example.com' },
        http: { forceRedirectHttps: false },
        platformURL: 'https://platform.example',
        registry: { address: 'registry.example', preferPlatformURL: false },
        version: '3.18.0',
      },
    };
    await custom.createClusterCustomObject({
      group: 'product.alauda.io',
      version: 'v1alpha2',
      plural: 'productbases',
      body: base,
    });

    // Act
    const v1 = (await custom.getClusterCustomObject({
      group: 'product.alauda.io',
      version: 'v1alpha1',
      plural: 'productbases',
      name: 'base',
    })) as { apiVersion: string; spec: { version: string } };

    // Assess
    expect(v1.apiVersion).toBe('product.alauda.io/v1alpha1');
    expect(v1.spec.version).toBe('3.18.0');
  });
});

describe('core kinds and KubernetesObjectApi', () => {
  it('creates a namespace and a ConfigMap, patches it strategically, and deletes it with a Status', async () => {
    // Prepare
    await core.createNamespace({ body: { metadata: { name: 'kube-public' } } });
    await core.createNamespacedConfigMap({
      namespace: 'kube-public',
      body: { metadata: { name: 'acp-version' }, data: { version: '3.18.0' } },
    });

    // Act
    const patched = await core.patchNamespacedConfigMap(
      { namespace: 'kube-public', name: 'acp-version', body: { data: { extra: 'yes' } } },
      STRATEGIC,
    );
    const ns = await core.readNamespace({ name: 'kube-public' });
    const deleted = await core.deleteNamespacedConfigMap({ namespace: 'kube-public', name: 'acp-version' });

    // Assess
    expect(patched.data).toEqual({ version: '3.18.0', extra: 'yes' });
    expect(ns.metadata?.name).toBe('kube-public');
    expect(deleted.status).toBe('Success');
  });

  it('lets KubernetesObjectApi resolve kinds through discovery and create, read, patch and list', async () => {
    // Prepare
    const client = sim.kubeConfig('east').makeApiClient(KubernetesObjectApi);
    const redis = {
      apiVersion: 'redis.middleware.alauda.io/v1',
      kind: 'RedisBackup',
      metadata: { name: 'cache-backup', namespace: 'redis-system', labels: { instance: 'cache' } },
      spec: {},
    };

    // Act
    await client.create(redis);
    const read = await client.read({
      apiVersion: redis.apiVersion,
      kind: redis.kind,
      metadata: { name: 'cache-backup', namespace: 'redis-system' },
    });
    const patched = await client.patch(
      { ...redis, metadata: { ...redis.metadata, labels: { instance: 'cache', extra: 'x' } } },
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    const listed = await client.list(
      redis.apiVersion,
      redis.kind,
      'redis-system',
      undefined,
      undefined,
      undefined,
      undefined,
      'instance=cache',
    );
    const strategic = await expectStatus(() => client.patch(redis));

    // Assess
    expect(read.metadata?.uid).toBeDefined();
    expect(patched.metadata?.labels).toEqual({ instance: 'cache', extra: 'x' });
    expect(listed.items.map((i) => i.metadata?.name)).toEqual(['cache-backup']);
    expect(strategic.code).toBe(415);
  });
});
