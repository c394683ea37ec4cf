/** The DynamoDB document client every table adapter shares (undefined attributes dropped on write). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { type AwsClientOptions, clientConfig } from './aws-client-config.ts';

export function makeDynamoClient(options: AwsClientOptions = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(options, 'dynamodb')), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Every item of one partition whose sort key starts with `prefix`, page after page (the SDK's paginator). */
export async function queryByPrefix(
  client: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const pages = paginateQuery(
    { client },
    {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
    },
  );
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}
