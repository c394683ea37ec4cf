/**
 * Conformance, over HTTPS with @kubernetes/client-node: `dryRun=All` validates and answers without
 * storing (no resourceVersion bump, no watch event), and server-side apply on the custom resources
 * the upgrader writes: create, update, removal of fields a manager stops applying, conflicts
 * between managers, `force`.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBSCRIPTION } from '#sim/resource-types.ts';
import {
  expectStatus,
  MERGE_PATCH,
  type SimApi,
  SUBSCRIPTIONS,
  startSimApi,
  subscription,
} from '#test/sim/api/sim-api-fixture.ts';

const APPLY = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

interface Sub {
  metadata: {
    name: string;
    resourceVersion?: string;
    uid?: string;
    managedFields?: { manager: string; fieldsV1: object }[];
  };
  spec: Record<string, unknown>;
}

let sim: SimApi;
let api: CustomObjectsApi;
let events: number;

beforeAll(async () => {
  sim = await startSimApi([{ name: 'dry' }]);
  api = sim.kubeConfig('dry').makeApiClient(CustomObjectsApi);
  sim.store('dry').subscribe(() => {
    events += 1;
  });
});
afterAll(() => sim.close());

/** Runs `act` and returns what it answered, the store's resourceVersion change and the events it caused. */
async function unchanged<T>(act: () => Promise<T>): Promise<{ answer: T; rvMoved: boolean; events: number }> {
  const rv = sim.store('dry').resourceVersion;
  events = 0;
  const answer = await act();
  return { answer, rvMoved: sim.store('dry').resourceVersion !== rv, events };
}

describe('dryRun=All', () => {
  it('answers create, replace, patch and delete as if done, and stores nothing', async () => {
    // Prepare
    const live = (await api.createNamespacedCustomObject({
      ...SUBSCRIPTIONS,
      body: subscription('dry-live'),
    })) as Sub;

    // Act
    const created = await unchanged(() =>
      api.createNamespacedCustomObjectWithHttpInfo({
        ...SUBSCRIPTIONS,
        body: subscription('dry-new'),
        dryRun: 'All',
      }),
    );
    const replaced = await unchanged(
      async () =>
        (await api.replaceNamespacedCustomObject({
          ...SUBSCRIPTIONS,
          name: 'dry-live',
          body: { ...live, spec: { ...live.spec, channel: 'v4' } },
          dryRun: 'All',
        })) as Sub,
    );
    const patched = await unchanged(
      async () =>
        (await api.patchNamespacedCustomObject(
          { ...SUBSCRIPTIONS, name: 'dry-live', body: { spec: { channel: 'v5' } }, dryRun: 'All' },
          MERGE_PATCH,
        )) as Sub,
    );
    const deleted = await unchanged(() =>
      api.deleteNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'dry-live', dryRun: 'All' }),
    );

    // Assess
    expect(created.answer.httpStatusCode).toBe(201);
    expect((created.answer.data as Sub).metadata).toMatchObject({ name: 'dry-new', uid: expect.any(String) });
    expect((created.answer.data as Sub).metadata.resourceVersion).toBeUndefined();
    expect(replaced.answer.spec.channel).toBe('v4');
    expect(patched.answer.spec.channel).toBe('v5');
    expect(patched.answer.metadata.resourceVersion).toBe(live.metadata.resourceVersion);
    for (const call of [created, replaced, patched, deleted])
      expect(call).toMatchObject({ rvMoved: false, events: 0 });
    expect(sim.store('dry').get(SUBSCRIPTION, 'redis-system', 'dry-new')).toBeUndefined();
    expect(sim.store('dry').get(SUBSCRIPTION, 'redis-system', 'dry-live')?.spec).toMatchObject({
      channel: 'stable',
    });
  });

  it('still validates: an invalid object is refused as it would be without dryRun', async () => {
    const answer = await expectStatus(() =>
      api.createNamespacedCustomObject({
        ...SUBSCRIPTIONS,
        body: subscription('dry-bad', { channel: 42 }),
        dryRun: 'All',
      }),
    );
    expect(answer).toMatchObject({ code: 422, reason: 'Invalid' });
  });

  it('refuses a dryRun value other than All', async () => {
    const answer = await expectStatus(() =>
      api.createNamespacedCustomObject({ ...SUBSCRIPTIONS, body: subscription('dry-odd'), dryRun: 'Some' }),
    );
    expect(answer).toMatchObject({
      code: 400,
      message: 'dryRun: Unsupported value: "Some": supported values: "All"',
    });
  });
});

describe('server-side apply', () => {
  const applied = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'Subscription',
    metadata: { name, namespace: 'redis-system' },
    spec,
  });
  const apply = (name: string, spec: Record<string, unknown>, fieldManager: string, extra: object = {}) =>
    api.patchNamespacedCustomObjectWithHttpInfo(
      { ...SUBSCRIPTIONS, name, body: applied(name, spec), fieldManager, ...extra },
      APPLY,
    );
  const base = {
    name: 'redis-operator',
    source: 'platform',
    sourceNamespace: 'cpaas-system',
    channel: 'stable',
  };

  it('creates, then updates, and drops the fields its manager no longer applies', async () => {
    // Act
    const created = await apply('ssa', { ...base, startingCSV: 'redis-operator.v3.16.2' }, 'upgrader');
    const updated = await apply('ssa', { ...base, installPlanApproval: 'Manual' }, 'upgrader');

    // Assess
    expect(created.httpStatusCode).toBe(201);
    expect(updated.httpStatusCode).toBe(200);
    const sub = updated.data as Sub;
    expect(sub.spec).toEqual({ ...base, installPlanApproval: 'Manual' });
    expect(sub.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'upgrader',
        operation: 'Apply',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:spec': {
            'f:name': {},
            'f:source': {},
            'f:sourceNamespace': {},
            'f:channel': {},
            'f:installPlanApproval': {},
          },
        },
      }),
    ]);
  });

  it('refuses a change to a field another manager applied with 409, until forced', async () => {
    // Prepare
    await apply('ssa-shared', base, 'upgrader');

    // Act
    const conflict = await expectStatus(() => apply('ssa-shared', { channel: 'v4' }, 'operator'));
    const same = await apply('ssa-shared', { channel: 'stable' }, 'operator');
    const forced = await apply('ssa-shared', { channel: 'v4' }, 'operator', { force: true });

    // Assess
    expect(conflict).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "upgrader": .spec.channel',
    });
    expect(same.httpStatusCode).toBe(200);
    const sub = forced.data as Sub;
    expect(sub.spec.channel).toBe('v4');
    const owners = Object.fromEntries((sub.metadata.managedFields ?? []).map((m) => [m.manager, m.fieldsV1]));
    expect(owners.operator).toEqual({ 'f:spec': { 'f:channel': {} } });
    expect(owners.upgrader).toEqual({ 'f:spec': { 'f:name': {}, 'f:source': {}, 'f:sourceNamespace': {} } });
  });

  it('applies with dryRun without storing, and refuses an apply without fieldManager', async () => {
    // Act
    const dry = await unchanged(() => apply('ssa-dry', base, 'upgrader', { dryRun: 'All' }));
    const anonymous = await expectStatus(() =>
      api.patchNamespacedCustomObject(
        { ...SUBSCRIPTIONS, name: 'ssa-dry', body: applied('ssa-dry', base) },
        APPLY,
      ),
    );

    // Assess
    expect(dry).toMatchObject({ rvMoved: false, events: 0 });
    expect(dry.answer.httpStatusCode).toBe(201);
    expect(sim.store('dry').get(SUBSCRIPTION, 'redis-system', 'ssa-dry')).toBeUndefined();
    expect(anonymous).toMatchObject({
      code: 400,
      message: 'PATCH /apply requests require fieldManager to be set',
    });
  });

  it('lists server-side apply among the patch types it accepts when refusing one', async () => {
    await api.createNamespacedCustomObject({ ...SUBSCRIPTIONS, body: subscription('ssa-415') });
    const answer = await expectStatus(() =>
      api.patchNamespacedCustomObject({ ...SUBSCRIPTIONS, name: 'ssa-415', body: { spec: {} } }, STRATEGIC),
    );
    expect(answer).toMatchObject({
      code: 415,
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    });
  });
});
