/**
 * Webhook deliveries on the same DynamoDB table, in their receiver's partition (the id names it,
 * #usecases/webhook-fan-out.ts), expiring through the table's TTL after the event retention.
 * Every update is conditional on the version the writer read.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import { type Delivery, deliverySchema } from '#domain/webhooks/delivery.ts';
import type { DeliveryStore } from '#shared/webhook-ports.ts';
import { receiverOfDelivery } from '#usecases/webhook-fan-out.ts';
import { AWS_DEFAULTS } from './aws-env.ts';
import { awsErrorName, mapAwsError } from './aws-errors.ts';
import { queryByPrefix } from './dynamo-client.ts';
import { keys, TTL_ATTRIBUTE } from './dynamo-schema.ts';

export interface DynamoDeliveryStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  retentionDays?: number;
}

function keyOf(id: string) {
  const receiver = receiverOfDelivery(id);
  if (!receiver) throw new NotFoundError(`${id} is not a delivery id`);
  return keys.delivery(id, receiver);
}

export class DynamoDeliveryStore implements DeliveryStore {
  readonly #options: DynamoDeliveryStoreOptions;

  constructor(options: DynamoDeliveryStoreOptions) {
    this.#options = options;
  }

  #item(delivery: Delivery) {
    const days = this.#options.retentionDays ?? AWS_DEFAULTS.eventRetentionDays;
    const expiresAt = Math.floor(Date.parse(delivery.createdAt) / 1000) + days * 86_400;
    return { ...keyOf(delivery.id), delivery, version: delivery.version, [TTL_ATTRIBUTE]: expiresAt };
  }

  async createIfAbsent(delivery: Delivery): Promise<boolean> {
    try {
      await this.#options.client.send(
        new PutCommand({
          TableName: this.#options.tableName,
          Item: this.#item(delivery),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return false;
      throw mapAwsError(error, `record delivery ${delivery.id}`);
    }
  }

  async get(id: string): Promise<Delivery | undefined> {
    if (!receiverOfDelivery(id)) return undefined;
    try {
      const result = await this.#options.client.send(
        new GetCommand({ TableName: this.#options.tableName, Key: keyOf(id) }),
      );
      return result.Item && deliverySchema.parse(result.Item.delivery);
    } catch (error) {
      throw mapAwsError(error, `read delivery ${id}`);
    }
  }

  async update(delivery: Delivery, expectedVersion: number): Promise<void> {
    try {
      await this.#options.client.send(
        new PutCommand({
          TableName: this.#options.tableName,
          Item: this.#item(delivery),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') {
        throw new ConflictError(`delivery ${delivery.id} changed since version ${expectedVersion}`);
      }
      throw mapAwsError(error, `update delivery ${delivery.id}`);
    }
  }

  /** The whole partition, sorted here: an endpoint's deliveries are bounded by the retention. */
  async forEndpoint(endpointId: string, limit: number): Promise<Delivery[]> {
    const { client, tableName } = this.#options;
    let found: Delivery[];
    try {
      const items = await queryByPrefix(client, tableName, keys.delivery('', endpointId).pk, 'DELIVERY#');
      found = items.map((item) => deliverySchema.parse(item.delivery));
    } catch (error) {
      throw mapAwsError(error, `list the deliveries of endpoint ${endpointId}`);
    }
    return found
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))
      .slice(0, limit);
  }
}
