/** ClusterRegistry on the same DynamoDB table: one partition holds every cluster record. */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ClusterRecord, ClusterRegistry } from '#shared/ports.ts';
import { mapAwsError } from './aws-errors.ts';
import { queryByPrefix } from './dynamo-client.ts';
import { keys } from './dynamo-schema.ts';

export interface DynamoClusterRegistryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export class DynamoClusterRegistry implements ClusterRegistry {
  readonly #options: DynamoClusterRegistryOptions;

  constructor(options: DynamoClusterRegistryOptions) {
    this.#options = options;
  }

  async get(name: string): Promise<ClusterRecord | undefined> {
    try {
      const result = await this.#options.client.send(
        new GetCommand({ TableName: this.#options.tableName, Key: keys.cluster(name) }),
      );
      return result.Item?.record as ClusterRecord | undefined;
    } catch (error) {
      throw mapAwsError(error, `read cluster ${name}`);
    }
  }

  async put(record: ClusterRecord): Promise<void> {
    try {
      await this.#options.client.send(
        new PutCommand({
          TableName: this.#options.tableName,
          Item: { ...keys.cluster(record.name), record },
        }),
      );
    } catch (error) {
      throw mapAwsError(error, `register cluster ${record.name}`);
    }
  }

  async list(): Promise<ClusterRecord[]> {
    const { client, tableName } = this.#options;
    try {
      const items = await queryByPrefix(client, tableName, keys.cluster('').pk, 'CLUSTER#');
      return items.map((item) => item.record as ClusterRecord);
    } catch (error) {
      throw mapAwsError(error, 'list clusters');
    }
  }
}
