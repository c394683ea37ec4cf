/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the contract (api-contract.ts) with
 * zod-openapi, which renders zod 4 schemas through zod's own JSON Schema support. Served at
 * `GET /openapi.json` and checked in as docs/openapi.json (`npm run openapi` rewrites it; a test
 * fails when the copy is stale or a route of the router is missing from it).
 */
import { fileURLToPath } from 'node:url';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import packageJson from '../../package.json' with { type: 'json' };
import { API_OPERATIONS, type Operation, refusalsOf } from './api-contract.ts';
import { errorBodySchema, type OpenApiDocument, openApiDocumentSchema } from './api-replies.ts';

export const OPENAPI_PATH = fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));

const REFUSAL_HEADERS: Record<number, ZodOpenApiResponseObject['headers']> = {
  401: { 'WWW-Authenticate': { description: '`Bearer`', schema: { type: 'string' } } },
  503: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } },
};

function responses(op: Operation): ZodOpenApiResponsesObject {
  const answered = Object.entries(op.replies).map(([status, { description, schema, headers }]) => [
    status,
    { description, content: { 'application/json': { schema } }, ...(headers ? { headers } : {}) },
  ]);
  const refused = Object.entries(refusalsOf(op)).map(([status, description]) => [
    status,
    {
      description,
      content: { 'application/json': { schema: errorBodySchema } },
      ...(REFUSAL_HEADERS[Number(status)] ? { headers: REFUSAL_HEADERS[Number(status)] } : {}),
    },
  ]);
  return Object.fromEntries([...answered, ...refused]);
}

function operationObject(op: Operation): ZodOpenApiOperationObject {
  const requestParams = {
    ...(op.params ? { path: op.params } : {}),
    ...(op.query ? { query: op.query } : {}),
    ...(op.headers ? { header: op.headers } : {}),
  };
  return {
    operationId: op.id,
    summary: op.summary,
    ...(op.public ? { security: [] } : {}),
    ...(Object.keys(requestParams).length > 0 ? { requestParams } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: !op.body.optional,
            content: { 'application/json': { schema: op.body.schema } },
          },
        }
      : {}),
    responses: responses(op),
  };
}

export function openApiDocument(): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const op of API_OPERATIONS) {
    const method = op.method.toLowerCase() as Lowercase<Operation['method']>;
    paths[op.path] = { ...paths[op.path], [method]: operationObject(op) };
  }
  const document = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'redis-upgrader',
      version: packageJson.version,
      description:
        'Safe upgrades of the Redis operator plugin on ACP clusters. Errors are always `{"error":{"code","message","details"?}}`.',
    },
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            "The local runtime's token (`redis-upgrader serve` prints where it is). On AWS, API Gateway's IAM or JWT authorizer admits callers instead.",
        },
      },
    },
    paths,
  });
  // Read back through the contract's own schema: what the route serves is what its reply declares.
  return openApiDocumentSchema.parse(document);
}

/** The checked-in copy's text: two-space JSON and a final newline. */
export function openApiText(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
