/**
 * The OpenAPI document against the router and its checked-in copy: every route the API serves is
 * in it, the copy in docs/openapi.json is what the contract generates today, the document is
 * valid OpenAPI 3.1, and `GET /openapi.json` serves it without credentials.
 */
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { apiRoutes } from '#shared/http/api-handler.ts';
import { OPENAPI_PATH, openApiDocument, openApiText } from '#shared/http/openapi.ts';
import { fakeApiDeps, startApi } from './support/api-server.ts';

const checkedIn = readFileSync(OPENAPI_PATH, 'utf8');

describe('the OpenAPI document', () => {
  it('has every route of the router, with its parameters, replies and refusals', () => {
    // Prepare
    const paths = (JSON.parse(checkedIn) as { paths: Record<string, Record<string, unknown>> }).paths;

    // Act
    const routes = apiRoutes(fakeApiDeps().all).map(({ operation }) => operation);
    const missing = routes.filter((op) => paths[op.path]?.[op.method.toLowerCase()] === undefined);
    const documented = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );

    // Assess
    expect(missing.map((op) => `${op.method} ${op.path}`)).toEqual([]);
    expect(documented.sort()).toEqual(routes.map((op) => `${op.method} ${op.path}`).sort());
    expect(paths['/upgrades/{id}/cancel']?.post).toMatchObject({
      parameters: [{ in: 'path', name: 'id', required: true }],
      requestBody: { required: false },
      responses: { 202: {}, 401: {}, 404: {}, 409: {}, 413: {}, 415: {}, 500: {} },
    });
  });

  it('is checked in as the contract generates it (npm run openapi rewrites it)', () => {
    // Act
    const generated = openApiText(openApiDocument());

    // Assess
    expect(checkedIn, 'docs/openapi.json is stale: run `npm run openapi` and commit it').toBe(generated);
  });

  it('is valid OpenAPI 3.1, with bearer authentication except on the public routes', async () => {
    // Prepare
    const document = openApiDocument();

    // Act
    const result = await new Validator().validate(structuredClone(document));

    // Assess
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(document).toMatchObject({
      openapi: '3.1.0',
      security: [{ bearerAuth: [] }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      paths: { '/healthz': { get: { security: [] } }, '/openapi.json': { get: { security: [] } } },
    });
  });

  it('is served at GET /openapi.json without a token', async () => {
    // Prepare
    const api = await startApi();

    // Act
    const response = await api.call('GET', '/openapi.json', { headers: { authorization: '' } });

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(checkedIn));
  });
});
