/** `npm run sim:crds`: regenerates sim/crds/schemas.json from the vendored CRD YAMLs. */
import { writeFileSync } from 'node:fs';
import { bundleCrds, CRD_BUNDLE_PATH } from '#sim/store/crd-bundle.ts';

const bundle = bundleCrds();
writeFileSync(CRD_BUNDLE_PATH, `${JSON.stringify(bundle, null, 2)}\n`);
console.log(`wrote ${Object.keys(bundle).length} CRDs to ${CRD_BUNDLE_PATH}`);
