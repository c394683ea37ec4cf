/**
 * dynalite implements every DynamoDB item operation except TransactWriteItems, which the job
 * store's uniqueness rule depends on. This front server adds it for tests: it serialises every
 * request, and runs a transaction as dynalite's own conditional writes on snapshotted items,
 * restoring every snapshot and answering TransactionCanceledException with per-item
 * CancellationReasons (the wire shape DynamoDB uses) when any condition fails. Conditions are
 * still evaluated by dynalite, not here.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;
interface Operation {
  TableName: string;
  Item?: Item;
  Key?: Item;
  ConditionExpression?: string;
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  ReturnValuesOnConditionCheckFailure?: string;
}
type TransactItem = { Put?: Operation; Update?: Operation; Delete?: Operation; ConditionCheck?: Operation };
interface Target {
  item: TransactItem;
  op: Operation;
  key: Item;
  before: Item | undefined;
}
interface Reason {
  Code: string;
  Message?: string;
  Item?: Item;
}

export async function withTransactions(
  backend: string,
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const client = new DynamoDBClient({
    endpoint: backend,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const keyNames = new Map<string, string[]>();
  const keyOf = async (op: Operation): Promise<Item> => {
    if (op.Key) return op.Key;
    let names = keyNames.get(op.TableName);
    if (!names) {
      const table = await client.send(new DescribeTableCommand({ TableName: op.TableName }));
      names = (table.Table?.KeySchema ?? []).map((key) => key.AttributeName ?? '');
      keyNames.set(op.TableName, names);
    }
    return Object.fromEntries(names.map((name) => [name, op.Item?.[name] as AttributeValue]));
  };

  const apply = async (item: TransactItem, op: Operation, key: Item): Promise<void> => {
    const condition = {
      ConditionExpression: op.ConditionExpression,
      ExpressionAttributeNames: op.ExpressionAttributeNames,
      ExpressionAttributeValues: op.ExpressionAttributeValues,
    };
    const TableName = op.TableName;
    if (item.Put) await client.send(new PutItemCommand({ TableName, Item: op.Item, ...condition }));
    else if (item.Update) {
      await client.send(
        new UpdateItemCommand({ TableName, Key: key, UpdateExpression: op.UpdateExpression, ...condition }),
      );
    } else if (item.Delete) await client.send(new DeleteItemCommand({ TableName, Key: key, ...condition }));
    else await client.send(new UpdateItemCommand({ TableName, Key: key, ...condition }));
  };

  const attempt = async ({ item, op, key, before }: Target): Promise<Reason> => {
    try {
      await apply(item, op, key);
      return { Code: 'None' };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const returnOld = op.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && before;
      return {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        ...(returnOld ? { Item: before } : {}),
      };
    }
  };

  const transact = async (items: TransactItem[]): Promise<{ status: number; body: unknown }> => {
    const targets: Target[] = await Promise.all(
      items.map(async (item) => {
        const op = (item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck) as Operation;
        const key = await keyOf(op);
        const read = await client.send(
          new GetItemCommand({ TableName: op.TableName, Key: key, ConsistentRead: true }),
        );
        return { item, op, key, before: read.Item };
      }),
    );
    const reasons: Reason[] = [];
    for (const target of targets) reasons.push(await attempt(target));
    const failed = reasons.some((reason) => reason.Code !== 'None');
    // A failed transaction undoes everything; a ConditionCheck never leaves a trace.
    for (const { item, op, key, before } of targets) {
      if (!failed && !item.ConditionCheck) continue;
      if (before) await client.send(new PutItemCommand({ TableName: op.TableName, Item: before }));
      else await client.send(new DeleteItemCommand({ TableName: op.TableName, Key: key }));
    }
    if (!failed) return { status: 200, body: {} };
    return {
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        CancellationReasons: reasons,
      },
    };
  };

  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const target = new URL(backend);
      const out = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 500,
              headers: {
                'content-type': String(res.headers['content-type'] ?? 'application/x-amz-json-1.0'),
              },
              body: Buffer.concat(chunks),
            }),
          );
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isTransaction = String(req.headers['x-amz-target']).endsWith('.TransactWriteItems');
      serialised(async () => {
        if (!isTransaction) return forward(req, body);
        const answer = await transact(JSON.parse(body.toString()).TransactItems);
        return {
          status: answer.status,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Buffer.from(JSON.stringify(answer.body)),
        };
      }).then(
        (answer) => res.writeHead(answer.status, answer.headers).end(answer.body),
        (error: Error) =>
          res
            .writeHead(400, { 'content-type': 'application/x-amz-json-1.0' })
            .end(
              JSON.stringify({ __type: `com.amazon.coral.validate#${error.name}`, message: error.message }),
            ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
