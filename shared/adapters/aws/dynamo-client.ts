/** The DynamoDB document client every table adapter shares (undefined attributes dropped on write). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClientOptions, clientConfig } from './aws-client-config.ts';

export function makeDynamoClient(options: AwsClientOptions = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(options, 'dynamodb')), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
