/**
 * Webhook endpoints on the same DynamoDB table, one partition for all of them (a deployment has
 * tens, not thousands). Their secrets are never here: Secrets Manager keeps them
 * (secrets-webhook-secrets.ts).
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type EndpointStatus, endpointSchema, type WebhookEndpoint } from '#domain/webhooks/endpoint.ts';
import type { WebhookEndpointStore } from '#shared/webhook-ports.ts';
import { awsErrorName, mapAwsError } from './aws-errors.ts';
import { queryByPrefix } from './dynamo-client.ts';
import { keys } from './dynamo-schema.ts';

export interface DynamoTable {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export class DynamoWebhookEndpoints implements WebhookEndpointStore {
  readonly #table: DynamoTable;

  constructor(table: DynamoTable) {
    this.#table = table;
  }

  async #send<T>(what: string, run: (client: DynamoDBDocumentClient) => Promise<T>): Promise<T> {
    try {
      return await run(this.#table.client);
    } catch (error) {
      throw mapAwsError(error, what);
    }
  }

  async create(endpoint: WebhookEndpoint): Promise<void> {
    const Item = { ...keys.endpoint(endpoint.id), endpoint };
    await this.#send(`register endpoint ${endpoint.id}`, (client) =>
      client.send(new PutCommand({ TableName: this.#table.tableName, Item })),
    );
  }

  async get(id: string): Promise<WebhookEndpoint | undefined> {
    const result = await this.#send(`read endpoint ${id}`, (client) =>
      client.send(new GetCommand({ TableName: this.#table.tableName, Key: keys.endpoint(id) })),
    );
    return result.Item && endpointSchema.parse(result.Item.endpoint);
  }

  async list(): Promise<WebhookEndpoint[]> {
    const items = await this.#send('list webhook endpoints', (client) =>
      queryByPrefix(client, this.#table.tableName, keys.endpoint('').pk, 'ENDPOINT#'),
    );
    const endpoints = items.map((item) => endpointSchema.parse(item.endpoint));
    return endpoints.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async delete(id: string): Promise<boolean> {
    const command = new DeleteCommand({
      TableName: this.#table.tableName,
      Key: keys.endpoint(id),
      ReturnValues: 'ALL_OLD',
    });
    const result = await this.#send(`delete endpoint ${id}`, (client) => client.send(command));
    return result.Attributes !== undefined;
  }

  async setStatus(id: string, status: EndpointStatus, reason?: string): Promise<void> {
    const withReason = reason !== undefined;
    try {
      // Conditional on existence, so a deleted endpoint is not brought back as a husk.
      await this.#table.client.send(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: keys.endpoint(id),
          ConditionExpression: 'attribute_exists(pk)',
          UpdateExpression: withReason
            ? 'SET endpoint.#status = :status, endpoint.statusReason = :reason'
            : 'SET endpoint.#status = :status REMOVE endpoint.statusReason',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ...(withReason ? { ':reason': reason } : {}) },
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return;
      throw mapAwsError(error, `set the status of endpoint ${id}`);
    }
  }
}
