/**
 * Conformance, over HTTPS: what standard tooling (kubectl) reads besides objects. Server-side tables
 * from each CRD's additionalPrinterColumns, the CRDs' own short names and categories in discovery,
 * OpenAPI v3 and v2 documents built from the CRD schemas (validated against the objects the CRDs
 * describe), health endpoints under the cluster prefix, and SelfSubjectAccessReview.
 */
import { AuthorizationV1Api, CustomObjectsApi, Health } from '@kubernetes/client-node';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES, SUBSCRIPTION } from '#sim/resource-types.ts';
import { crdSchema } from '#sim/store/crd-schemas.ts';
import {
  expectStatus,
  type SimApi,
  startSimApi,
  subscription,
  TOKEN,
} from '#test/sim/api/sim-api-fixture.ts';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const SUBS = '/apis/operators.coreos.com/v1alpha1/namespaces/redis-system/subscriptions';

interface Table {
  kind: string;
  columnDefinitions: { name: string; type: string }[];
  rows: { cells: unknown[]; object?: { kind: string; metadata: { name: string } } }[];
}

let sim: SimApi;
let base: string;
const get = (path: string, accept = 'application/json') =>
  sim.fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${TOKEN}`, Accept: accept } });

beforeAll(async () => {
  sim = await startSimApi([{ name: 'tools' }]);
  base = `${sim.server.url}/kubernetes/tools`;
  const api = sim.kubeConfig('tools').makeApiClient(CustomObjectsApi);
  await api.createNamespacedCustomObject({
    group: 'operators.coreos.com',
    version: 'v1alpha1',
    plural: 'subscriptions',
    namespace: 'redis-system',
    body: subscription('redis-operator', { channel: 'stable' }),
  });
});
afterAll(() => sim.close());

describe('server-side tables', () => {
  it('prints a list with NAME and the CRD printer columns, the object as metadata', async () => {
    // Act
    const response = await get(SUBS, TABLE);
    const table = (await response.json()) as Table;

    // Assess
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Package', 'Source', 'Channel']);
    expect(table.rows).toEqual([
      {
        cells: ['redis-operator', 'redis-operator', 'platform', 'stable'],
        object: expect.objectContaining({
          kind: 'PartialObjectMetadata',
          metadata: expect.objectContaining({ name: 'redis-operator' }),
        }),
      },
    ]);
  });

  it('prints NAME and AGE for a kind without printer columns, and one object for a get', async () => {
    // Act
    const namespaces = (await (await get('/api/v1/namespaces', TABLE)).json()) as Table;
    const one = (await (await get(`${SUBS}/redis-operator?includeObject=Object`, TABLE)).json()) as Table;
    const plain = (await (await get(`${SUBS}/redis-operator`)).json()) as { kind: string };

    // Assess
    expect(namespaces.columnDefinitions.map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Age', 'date'],
    ]);
    expect(one.rows[0]?.object?.kind).toBe('Subscription');
    expect(plain.kind).toBe('Subscription');
  });

  it('streams a watch as one-row tables', async () => {
    // Act
    const response = await get(`${SUBS}?watch=true&timeoutSeconds=1`, TABLE);
    const [first] = (await response.text()).trim().split('\n');

    // Assess
    const event = JSON.parse(first as string) as { type: string; object: Table };
    expect(event.type).toBe('ADDED');
    expect(event.object.kind).toBe('Table');
    expect(event.object.rows[0]?.cells[0]).toBe('redis-operator');
  });
});

describe('discovery', () => {
  it('serves each CRD’s declared short names and categories, and no others', async () => {
    // Act
    const api = sim.kubeConfig('tools').makeApiClient(CustomObjectsApi);
    const olm = await api.getAPIResources({ group: 'operators.coreos.com', version: 'v1alpha1' });
    const spotahome = await api.getAPIResources({ group: 'databases.spotahome.com', version: 'v1' });
    const byName = (list: typeof olm) => Object.fromEntries(list.resources.map((r) => [r.name, r]));

    // Assess
    expect(byName(olm).subscriptions).toMatchObject({ shortNames: ['sub', 'subs'], categories: ['olm'] });
    expect(byName(olm).installplans).toMatchObject({ shortNames: ['ip'], categories: ['olm'] });
    expect(byName(spotahome).redisfailovers?.shortNames).toBeUndefined();
  });
});

describe('OpenAPI', () => {
  async function v3(groupVersion: string) {
    const root = (await (await get('/openapi/v3')).json()) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    const relative = root.paths[groupVersion]?.serverRelativeURL as string;
    // A server-relative URL: the cluster prefix is part of it.
    const response = await sim.fetch(`${sim.server.url}${relative}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    return {
      relative,
      doc: (await response.json()) as {
        components: { schemas: Record<string, Record<string, unknown>> };
        paths: Record<
          string,
          Record<string, { parameters?: { name: string }[]; 'x-kubernetes-group-version-kind'?: object }>
        >;
      },
    };
  }

  it('v3: each kind’s schema is its CRD’s, and validates what the CRD accepts and refuses', async () => {
    // Act
    const { relative, doc } = await v3('apis/operators.coreos.com/v1alpha1');
    const schema = doc.components.schemas['com.coreos.operators.v1alpha1.Subscription'] as {
      properties: Record<string, unknown>;
      'x-kubernetes-group-version-kind': object[];
    };
    const ajv = new Ajv({ strict: false, validateFormats: false });
    for (const [name, s] of Object.entries(doc.components.schemas))
      ajv.addSchema(s, `#/components/schemas/${name}`);
    const validate = ajv.compile({ $ref: '#/components/schemas/com.coreos.operators.v1alpha1.Subscription' });
    const live = sim.store('tools').get(SUBSCRIPTION, 'redis-system', 'redis-operator');

    // Assess
    expect(relative).toMatch(
      /^\/kubernetes\/tools\/openapi\/v3\/apis\/operators\.coreos\.com\/v1alpha1\?hash=[0-9A-F]+$/,
    );
    const crd = crdSchema('operators.coreos.com_subscriptions.yaml', 'v1alpha1') as {
      properties: Record<string, unknown>;
    };
    expect(schema.properties.spec).toEqual(crd.properties.spec);
    expect(schema.properties.status).toEqual(crd.properties.status);
    expect(schema['x-kubernetes-group-version-kind']).toEqual([
      { group: 'operators.coreos.com', version: 'v1alpha1', kind: 'Subscription' },
    ]);
    expect(validate(live)).toBe(true);
    expect(validate({ ...live, spec: { ...(live?.spec as object), channel: 42 } })).toBe(false);
  });

  it('v3: every kind’s PATCH declares dryRun and fieldValidation (what kubectl checks before using them)', async () => {
    for (const t of RESOURCE_TYPES) {
      const gv = t.group === '' ? `api/${t.version}` : `apis/${t.group}/${t.version}`;
      const { doc } = await v3(gv);
      const patches = Object.values(doc.paths)
        .map((p) => p.patch)
        .filter(
          (op) =>
            JSON.stringify(op?.['x-kubernetes-group-version-kind']) ===
            JSON.stringify({ group: t.group, version: t.version, kind: t.kind }),
        );
      expect(patches.length, t.kind).toBeGreaterThan(0);
      expect(
        patches[0]?.parameters?.map((p) => p.name),
        t.kind,
      ).toEqual(expect.arrayContaining(['dryRun', 'fieldValidation', 'fieldManager']));
    }
  });

  it('v2: one Swagger document with every kind, JSON only', async () => {
    // Act
    const doc = (await (await get('/openapi/v2')).json()) as {
      swagger: string;
      definitions: Record<string, { properties: Record<string, unknown> }>;
    };
    const protobuf = await get('/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf');

    // Assess
    expect(doc.swagger).toBe('2.0');
    const plan = doc.definitions['com.coreos.operators.v1alpha1.InstallPlan'];
    expect(Object.keys(plan?.properties ?? {})).toEqual(
      expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'spec', 'status']),
    );
    expect(JSON.stringify(doc.definitions)).not.toContain('"nullable"');
    expect(protobuf.status).toBe(406);
  });
});

describe('health and access review', () => {
  it('answers /healthz, /readyz and /livez under the cluster prefix', async () => {
    const health = new Health(sim.kubeConfig('tools'));
    expect(await health.readyz({})).toBe(true);
    expect(await health.livez({})).toBe(true);
    const healthz = await get('/healthz');
    expect([healthz.status, await healthz.text()]).toEqual([200, 'ok']);
  });

  it('allows the platform token everything, and refuses a review that names nothing', async () => {
    // Prepare
    const authz = sim.kubeConfig('tools').makeApiClient(AuthorizationV1Api);

    // Act
    const review = await authz.createSelfSubjectAccessReview({
      body: {
        spec: {
          resourceAttributes: {
            verb: 'patch',
            group: 'operators.coreos.com',
            resource: 'installplans',
            namespace: 'redis-system',
          },
        },
      },
    });
    const empty = await expectStatus(() => authz.createSelfSubjectAccessReview({ body: { spec: {} } }));

    // Assess
    expect(review.status?.allowed).toBe(true);
    expect(empty).toMatchObject({ code: 422, reason: 'Invalid' });
  });
});
