/**
 * BatchStore on DynamoDB, in the job table (layout in dynamo-schema.ts). A batch is one item, its
 * JSON gzipped (a rollout of thousands of clusters stays within the 400 KB item limit); each
 * event is an item beside it. An update is one transaction: the batch put on condition of the
 * version read, and each event set only if absent (`if_not_exists`), so a decision is recorded
 * exactly when it took effect and an event id is recorded once. An Idempotency-Key is put in the
 * creating transaction on condition that no live one exists. How far the events went to webhooks
 * is an item of its own, raised conditionally (never the batch's version).
 *
 * Batches are listed from the byState index by a listing item put with the batch, not by the
 * batch item: the index projects every attribute, so each write of an indexed batch item was
 * billed again there, and the item grows with the batch's clusters (4 KB at 100, written about
 * once per job end). A batch item written before listing items is indexed itself and stays so
 * (dynamo-own-index.ts), so no batch drops out of a list.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { listLimit } from '#adapters/list-limit.ts';
import { readStoredBatch, readStoredBatchEvent, storedBatch } from '#adapters/stored-batch.ts';
import { ConflictError, TransientError, UnreadableRecordError } from '#domain/errors.ts';
import type { Batch } from '#domain/rollout/batch.ts';
import type { BatchEvent } from '#domain/rollout/batch-events.ts';
import type { BatchCreateOutcome, BatchFilter, BatchStore, IdempotencyRecord } from '#shared/ports.ts';
import { awsErrorName, cancellationReasons, firstConditionFailed, mapAwsError } from './aws-errors.ts';
import { putUnlessIndexedItself } from './dynamo-own-index.ts';
import { BATCH_LIST_PARTITION, epochSeconds, JOB_INDEXES, keys, TTL_ATTRIBUTE } from './dynamo-schema.ts';

export interface DynamoBatchStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export function batchItem(batch: Batch): Record<string, unknown> {
  return {
    ...keys.batch(batch.id),
    version: batch.version,
    state: batch.state,
    batch: gzipSync(JSON.stringify(storedBatch(batch))),
  };
}

/** Where the batch is listed from, newest first: the batch item's own entry before listing items. */
function listedAt(batch: Batch): Record<string, string> {
  return {
    [JOB_INDEXES.byState.partition]: BATCH_LIST_PARTITION,
    [JOB_INDEXES.byState.sort]: `${batch.createdAt}#${batch.id}`,
  };
}

/** Index entries per page of a list: at most this many batches are read at once. */
const LIST_PAGE_SIZE = 25;

function readItem(item: Record<string, unknown>): Batch {
  const id = String(item.pk).replace(/^BATCH#/, '');
  let record: unknown;
  try {
    record = JSON.parse(gunzipSync(item.batch as Uint8Array).toString('utf8'));
  } catch (error) {
    throw new UnreadableRecordError(`stored batch ${id} is not gzipped JSON`, { cause: error });
  }
  return readStoredBatch(record, id);
}

export class DynamoBatchStore implements BatchStore {
  readonly #options: DynamoBatchStoreOptions;

  constructor(options: DynamoBatchStoreOptions) {
    this.#options = options;
  }

  async create(batch: Batch, idempotency?: IdempotencyRecord): Promise<BatchCreateOutcome> {
    const { tableName: TableName } = this.#options;
    const items = [
      { Put: { TableName, Item: batchItem(batch), ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName, Item: { ...keys.batchListing(batch.id), batchId: batch.id, ...listedAt(batch) } } },
      ...(idempotency
        ? [
            {
              Put: {
                TableName,
                Item: {
                  ...keys.batchIdempotency(idempotency.key),
                  batchId: batch.id,
                  fingerprint: idempotency.fingerprint,
                  [TTL_ATTRIBUTE]: epochSeconds(idempotency.expiresAt),
                },
                ConditionExpression: 'attribute_not_exists(pk) OR #expires <= :now',
                ExpressionAttributeNames: { '#expires': TTL_ATTRIBUTE },
                ExpressionAttributeValues: { ':now': epochSeconds(batch.createdAt) },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            },
          ]
        : []),
    ];
    try {
      await this.#options.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { created: true, batch };
    } catch (error) {
      const reasons = cancellationReasons(error);
      const record = reasons?.[2]?.Code === 'ConditionalCheckFailed' ? reasons[2].Item : undefined;
      if (idempotency && record) {
        const existing = record.batchId?.S ? await this.get(record.batchId.S) : undefined;
        if (existing) return { created: false, batch: existing, fingerprint: record.fingerprint?.S ?? '' };
        throw new TransientError(
          `idempotency key ${idempotency.key} is held by a batch not yet readable; retry`,
        );
      }
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') {
        throw new ConflictError(`batch ${batch.id} already exists`, { code: 'BATCH_EXISTS', cause: error });
      }
      throw mapAwsError(error, `create batch ${batch.id}`);
    }
  }

  async findByIdempotencyKey(
    key: string,
    at: string,
  ): Promise<{ batch: Batch; fingerprint: string } | undefined> {
    const { client, tableName } = this.#options;
    const record = await client
      .send(new GetCommand({ TableName: tableName, Key: keys.batchIdempotency(key), ConsistentRead: true }))
      .catch((error: unknown) => {
        throw mapAwsError(error, `read idempotency key ${key}`);
      });
    const item = record.Item;
    // DynamoDB deletes expired items late: an expired record counts as none.
    if (!item || Number(item[TTL_ATTRIBUTE]) <= epochSeconds(at)) return undefined;
    const batch = await this.get(String(item.batchId));
    return batch && { batch, fingerprint: String(item.fingerprint) };
  }

  async get(id: string): Promise<Batch | undefined> {
    const result = await this.#options.client
      .send(new GetCommand({ TableName: this.#options.tableName, Key: keys.batch(id), ConsistentRead: true }))
      .catch((error: unknown) => {
        throw mapAwsError(error, `read batch ${id}`);
      });
    return result.Item ? readItem(result.Item) : undefined;
  }

  async list(filter: BatchFilter): Promise<Batch[]> {
    const limit = listLimit(filter.limit);
    const index = JOB_INDEXES.byState;
    const batches = new Map<string, Batch>();
    const pages = paginateQuery(
      { client: this.#options.client, pageSize: LIST_PAGE_SIZE },
      {
        TableName: this.#options.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': index.partition },
        ExpressionAttributeValues: { ':p': BATCH_LIST_PARTITION },
        ScanIndexForward: false,
      },
    );
    try {
      for await (const page of pages) {
        const read = await Promise.all(
          (page.Items ?? []).map((item) =>
            item.sk === keys.batchListing('').sk ? this.get(String(item.batchId)) : readItem(item),
          ),
        );
        for (const batch of read) {
          if (!batch || (filter.state !== undefined && batch.state !== filter.state)) continue;
          if (batches.size < limit) batches.set(batch.id, batch);
        }
        if (batches.size >= limit) break;
      }
    } catch (error) {
      throw mapAwsError(error, 'list batches');
    }
    return [...batches.values()];
  }

  async update(batch: Batch, expectedVersion: number, events: readonly BatchEvent[] = []): Promise<void> {
    const { tableName: TableName } = this.#options;
    const put = {
      TableName,
      Item: batchItem(batch),
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': expectedVersion },
    };
    const own = {
      key: keys.batch(batch.id),
      expectedVersion,
      attribute: JOB_INDEXES.byState.partition,
      entries: listedAt(batch),
      content: 'batch',
    };
    try {
      await putUnlessIndexedItself(this.#options.client, put, own, (input) => this.#write(input, events));
    } catch (error) {
      if (!firstConditionFailed(error)) throw mapAwsError(error, `update batch ${batch.id}`);
      throw new ConflictError(`batch ${batch.id} is no longer at version ${expectedVersion}`, {
        code: 'STALE_VERSION',
        cause: error,
      });
    }
  }

  /** The batch put and its events, set only if absent, in one transaction when there are any. */
  async #write(put: PutCommandInput, events: readonly BatchEvent[]): Promise<void> {
    if (events.length === 0) {
      await this.#options.client.send(new PutCommand(put));
      return;
    }
    const eventUpdates = events.map((event) => ({
      Update: {
        TableName: put.TableName,
        Key: keys.batchEvent(event.batchId, event.seq),
        UpdateExpression: 'SET #event = if_not_exists(#event, :event)',
        ExpressionAttributeNames: { '#event': 'event' },
        ExpressionAttributeValues: { ':event': event },
      },
    }));
    await this.#options.client.send(
      new TransactWriteCommand({ TransactItems: [{ Put: put }, ...eventUpdates] }),
    );
  }

  async events(batchId: string): Promise<BatchEvent[]> {
    const result = await this.#options.client
      .send(
        new QueryCommand({
          TableName: this.#options.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.batch(batchId).pk, ':prefix': 'EVENT#' },
        }),
      )
      .catch((error: unknown) => {
        throw mapAwsError(error, `list events of batch ${batchId}`);
      });
    return (result.Items ?? []).map((item) => readStoredBatchEvent(item.event, String(item.sk)));
  }

  async publishedThrough(batchId: string): Promise<number> {
    const { Item } = await this.#options.client
      .send(
        new GetCommand({
          TableName: this.#options.tableName,
          Key: keys.batchPublished(batchId),
          ConsistentRead: true,
        }),
      )
      .catch((error: unknown) => {
        throw mapAwsError(error, `read the published mark of batch ${batchId}`);
      });
    return typeof Item?.seq === 'number' ? Item.seq : 0;
  }

  async markPublished(batchId: string, seq: number): Promise<void> {
    try {
      await this.#options.client.send(
        new UpdateCommand({
          TableName: this.#options.tableName,
          Key: keys.batchPublished(batchId),
          UpdateExpression: 'SET seq = :seq',
          ConditionExpression: 'attribute_not_exists(seq) OR seq < :seq',
          ExpressionAttributeValues: { ':seq': seq },
        }),
      );
    } catch (error) {
      // Already marked as far or further: the mark only ever rises.
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return;
      throw mapAwsError(error, `mark the events of batch ${batchId} published`);
    }
  }
}
