/**
 * Local AWS for adapter tests, started in-process from npm packages (no Docker): fauxqs for SQS
 * and S3, dynalite for DynamoDB, each on a random loopback port, plus the two conditional-write
 * features those emulators lack (see dynalite-transactions.ts and s3-conditional-writes.ts).
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { type FauxqsServer, interceptLocalhostDns, startFauxqs } from 'fauxqs';
import { type AwsClients, makeAwsClients } from '#adapters/aws/aws-clients.ts';
import { JOB_INDEXES, TABLE_KEYS } from '#adapters/aws/dynamo-schema.ts';
import { withTransactions } from './dynalite-transactions.ts';
import { withConditionalWrites } from './s3-conditional-writes.ts';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const TEST_REGION = 'us-east-1';

export interface AwsEmulators {
  fauxqs: FauxqsServer;
  endpoints: { sqs: string; s3: string; dynamodb: string };
  clients: AwsClients;
  createTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startAwsEmulators(): Promise<AwsEmulators> {
  // fauxqs queue URLs are http://sqs.<region>.localhost:<port>/...; the SDK sends to that host.
  const restoreDns = interceptLocalhostDns();
  const fauxqs = await startFauxqs({ port: 0, logger: false, messageSpies: true });
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const dynamoBackend = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
  const transactions = await withTransactions(dynamoBackend);
  const s3 = await withConditionalWrites(`http://127.0.0.1:${fauxqs.port}`);
  const endpoints = {
    sqs: `http://127.0.0.1:${fauxqs.port}`,
    s3: s3.endpoint,
    dynamodb: transactions.endpoint,
  };
  const clients = makeAwsClients({ region: TEST_REGION, credentials: TEST_CREDENTIALS, endpoints });
  return {
    fauxqs,
    endpoints,
    clients,
    createTable: (name) => createJobTable(endpoints.dynamodb, name),
    async stop() {
      restoreDns();
      await Promise.all([
        s3.close(),
        transactions.close(),
        fauxqs.stop(),
        new Promise<void>((resolve) => dynamo.close(() => resolve())),
      ]);
    },
  };
}

/** The table the stack defines (infra), built from the same schema constants. */
export async function createJobTable(endpoint: string, name: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  const indexes = Object.values(JOB_INDEXES);
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TABLE_KEYS.partition, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sort, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: TABLE_KEYS.partition, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.sort, AttributeType: 'S' },
        ...[...new Set(indexes.flatMap((index) => [index.partition, index.sort]))].map((attribute) => ({
          AttributeName: attribute,
          AttributeType: 'S' as const,
        })),
      ],
      GlobalSecondaryIndexes: indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partition, KeyType: 'HASH' as const },
          { AttributeName: index.sort, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
    }),
  );
  client.destroy();
}
