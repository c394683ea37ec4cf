/** `npm run openapi`: rewrites docs/openapi.json from the contract (see openapi.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OPENAPI_PATH, openApiDocument, openApiText } from '#shared/http/openapi.ts';

const document = openApiDocument();
mkdirSync(dirname(OPENAPI_PATH), { recursive: true });
writeFileSync(OPENAPI_PATH, openApiText(document));
console.log(`wrote ${Object.keys(document.paths).length} paths to ${OPENAPI_PATH}`);
