/**
 * Conformance, over HTTPS with @kubernetes/client-node: unknown fields answered as an apiserver with
 * a structural schema does. Strict refuses with 400 and stores nothing, Warn (the default) stores
 * the pruned object and says so in a Warning header, Ignore drops silently;
 * x-kubernetes-preserve-unknown-fields keeps what it covers.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectStatus,
  MERGE_PATCH,
  type SimApi,
  SUBSCRIPTIONS,
  startSimApi,
  subscription,
} from '#test/sim/api/sim-api-fixture.ts';

const STRICT_SUB =
  'Subscription in version "v1alpha1" cannot be handled as a Subscription: strict decoding error';

let sim: SimApi;
let api: CustomObjectsApi;

beforeAll(async () => {
  sim = await startSimApi([{ name: 'fv' }]);
  api = sim.kubeConfig('fv').makeApiClient(CustomObjectsApi);
});
afterAll(() => sim.close());

function withUnknown(name: string) {
  const body = subscription(name) as ReturnType<typeof subscription> & { metadata: Record<string, unknown> };
  (body.spec as Record<string, unknown>).bogus = 1;
  (body.spec as Record<string, unknown>).alsoBogus = { nested: true };
  body.metadata.surprise = 'x';
  return body;
}

describe('fieldValidation', () => {
  it('Strict refuses unknown fields with 400 naming each, on create, update and patch, and stores nothing', async () => {
    // Prepare
    await api.createNamespacedCustomObject({ ...SUBSCRIPTIONS, body: subscription('strict-base') });
    const current = (await api.getNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'strict-base' })) as {
      metadata: { resourceVersion: string };
    };
    const before = sim.store('fv').resourceVersion;

    // Act
    const created = await expectStatus(() =>
      api.createNamespacedCustomObject({
        ...SUBSCRIPTIONS,
        body: withUnknown('strict-new'),
        fieldValidation: 'Strict',
      }),
    );
    const replaced = await expectStatus(() =>
      api.replaceNamespacedCustomObject({
        ...SUBSCRIPTIONS,
        name: 'strict-base',
        body: { ...withUnknown('strict-base'), metadata: { ...current.metadata, name: 'strict-base' } },
        fieldValidation: 'Strict',
      }),
    );
    const patched = await expectStatus(() =>
      api.patchNamespacedCustomObject(
        { ...SUBSCRIPTIONS, name: 'strict-base', body: { spec: { bogus: 1 } }, fieldValidation: 'Strict' },
        MERGE_PATCH,
      ),
    );

    // Assess
    expect(created).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: `${STRICT_SUB}: unknown field "metadata.surprise", unknown field "spec.bogus", unknown field "spec.alsoBogus"`,
    });
    expect(replaced.code).toBe(400);
    expect(patched).toMatchObject({ code: 400, message: `${STRICT_SUB}: unknown field "spec.bogus"` });
    expect(sim.store('fv').resourceVersion).toBe(before);
  });

  it('Warn (the default) stores the object without the unknown fields and sends one Warning per field', async () => {
    // Act
    const info = await api.createNamespacedCustomObjectWithHttpInfo({
      ...SUBSCRIPTIONS,
      body: withUnknown('warned'),
    });
    const stored = (await api.getNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'warned' })) as {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
    };

    // Assess
    expect(info.httpStatusCode).toBe(201);
    expect(info.headers.warning).toContain('299 - "unknown field \\"spec.bogus\\""');
    expect(info.headers.warning).toContain('299 - "unknown field \\"spec.alsoBogus\\""');
    expect(info.headers.warning).toContain('299 - "unknown field \\"metadata.surprise\\""');
    expect(stored.spec).not.toHaveProperty('bogus');
    expect(stored.spec).not.toHaveProperty('alsoBogus');
    expect(stored.metadata).not.toHaveProperty('surprise');
    expect(stored.spec.channel).toBe('stable');
  });

  it('Ignore drops unknown fields without a warning', async () => {
    // Act
    const info = await api.createNamespacedCustomObjectWithHttpInfo({
      ...SUBSCRIPTIONS,
      body: withUnknown('ignored'),
      fieldValidation: 'Ignore',
    });

    // Assess
    expect(info.httpStatusCode).toBe(201);
    expect(info.headers.warning).toBeUndefined();
    expect((info.data as { spec: object }).spec).not.toHaveProperty('bogus');
  });

  it('keeps what x-kubernetes-preserve-unknown-fields covers and prunes around it', async () => {
    // Prepare: an ArtifactVersion's status.chartInfo.values preserves unknown fields
    const av = {
      group: 'app.alauda.io',
      version: 'v1alpha1',
      plural: 'artifactversions',
      namespace: 'cpaas-system',
    };
    await api.createNamespacedCustomObject({
      ...av,
      body: {
        apiVersion: 'app.alauda.io/v1alpha1',
        kind: 'ArtifactVersion',
        metadata: { name: 'chart.v1' },
        spec: { present: true, tag: 'v1' },
      },
    });

    // Act
    const strict = await expectStatus(() =>
      api.patchNamespacedCustomObjectStatus(
        {
          ...av,
          name: 'chart.v1',
          body: { status: { bogus: 1, chartInfo: { values: { any: { thing: 1 } } } } },
          fieldValidation: 'Strict',
        },
        MERGE_PATCH,
      ),
    );
    const kept = (await api.patchNamespacedCustomObjectStatus(
      {
        ...av,
        name: 'chart.v1',
        body: { status: { chartInfo: { values: { any: { thing: 1 } } } } },
        fieldValidation: 'Strict',
      },
      MERGE_PATCH,
    )) as { status: { chartInfo: { values: unknown } } };

    // Assess
    expect(strict.message).toMatch(/strict decoding error: unknown field "status.bogus"$/);
    expect(kept.status.chartInfo.values).toEqual({ any: { thing: 1 } });
  });

  it('refuses a fieldValidation value it does not know', async () => {
    const answer = await expectStatus(() =>
      api.createNamespacedCustomObject({
        ...SUBSCRIPTIONS,
        body: subscription('odd'),
        fieldValidation: 'Loose',
      }),
    );
    expect(answer).toMatchObject({
      code: 400,
      message: expect.stringContaining('Unsupported value: "Loose"'),
    });
  });
});
