import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bundleCrds, CRD_BUNDLE_PATH } from '#sim/store/crd-bundle.ts';
import { crdSchema } from '#sim/store/crd-schemas.ts';

const OTHER_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: { kind: Widget, plural: widgets }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, properties: { size: { type: integer } } }
`;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('sim/crds/schemas.json', () => {
  it('matches the vendored CRD YAMLs (regenerate with npm run sim:crds)', () => {
    // Prepare
    const committed = JSON.parse(readFileSync(CRD_BUNDLE_PATH, 'utf8'));

    // Act
    const regenerated = bundleCrds();

    // Assess
    expect(Object.keys(committed)).toEqual(Object.keys(regenerated));
    expect(committed).toStrictEqual(JSON.parse(JSON.stringify(regenerated)));
  });

  it('serves each version its own upstream schema', () => {
    // Prepare
    const productBase = bundleCrds()['product-base.yaml'];

    // Act
    const v1alpha1 = crdSchema('product-base.yaml', 'v1alpha1');
    const v1alpha2 = crdSchema('product-base.yaml', 'v1alpha2');

    // Assess
    expect(productBase?.group).toBe('product.alauda.io');
    expect(productBase?.scope).toBe('Cluster');
    expect(v1alpha1).toEqual(
      productBase?.versions.find((v) => v.name === 'v1alpha1')?.schema?.openAPIV3Schema,
    );
    expect(v1alpha2).toEqual(
      productBase?.versions.find((v) => v.name === 'v1alpha2')?.schema?.openAPIV3Schema,
    );
    expect(crdSchema('product-base.yaml', 'v1alpha2')).toBe(v1alpha2);
  });

  it('names the missing file or version', () => {
    expect(() => crdSchema('nope.yaml', 'v1')).toThrow(/nope\.yaml is not in .*schemas\.json/);
    expect(() => crdSchema('product-base.yaml', 'v9')).toThrow(
      'CRD product-base.yaml has no schema for version v9',
    );
  });

  it('reads the YAMLs in SIM_CRD_DIR instead when it is set', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'sim-crds-'));
    writeFileSync(join(dir, 'product-base.yaml'), OTHER_CRD);
    vi.stubEnv('SIM_CRD_DIR', dir);
    vi.resetModules();

    // Act
    const { crdSchema: fromDir } = await import('#sim/store/crd-schemas.ts');

    // Assess
    expect(fromDir('product-base.yaml', 'v1')).toEqual({
      type: 'object',
      properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
    });
    expect(() => fromDir('product-base.yaml', 'v1alpha2')).toThrow('has no schema for version v1alpha2');
  });
});
