import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { itemIndexBeforeLocks } from '#adapters/aws/dynamo-job-index.ts';
import { jobItem } from '#adapters/aws/dynamo-job-item.ts';
import { JOB_INDEXES, keys } from '#adapters/aws/dynamo-schema.ts';
import { newJob } from '#domain/job-transitions.ts';
import { ended, started } from '#test/fakes/jobs.ts';
import { useDynamoJobStore } from './support/job-store-fixture.ts';

const TABLE = 'upgrader-index-test';
const INDEX_ATTRIBUTES: string[] = [
  ...new Set(Object.values(JOB_INDEXES).flatMap((index) => [index.partition, index.sort])),
];
const dynamo = useDynamoJobStore(TABLE);

let seconds = 0;
function job(cluster: string, batchId = 'rollout-1') {
  const at = new Date(Date.UTC(2030, 0, 1, 0, 0, seconds++));
  return newJob({ id: randomUUID(), cluster, targetVersion: '4.2.0', at, batchId });
}

const item = async (key: Record<string, string>) =>
  (await dynamo.aws.clients.dynamo.send(new GetCommand({ TableName: TABLE, Key: key }))).Item;

const indexAttributesOf = (found: Record<string, unknown> | undefined) =>
  Object.keys(found ?? {}).filter((name) => INDEX_ATTRIBUTES.includes(name));

/** Where the job is found: by its cluster, its batch and its state. */
async function listedBy(found: { cluster: string; batchId?: string; state: string; id: string }) {
  const ids = (jobs: { id: string }[]) => jobs.map((listed) => listed.id).includes(found.id);
  return {
    cluster: ids(await dynamo.store.list({ cluster: found.cluster })),
    batch: ids(await dynamo.store.list({ batchId: found.batchId ?? '' })),
    state: ids(await dynamo.store.list({ state: found.state as 'queued' })),
  };
}
const everywhere = { cluster: true, batch: true, state: true };

describe('DynamoJobStore indexes', () => {
  it('indexes an active job by its lock (by state and batch; by cluster the lock is read by its key), so its writes touch no index, and the job item joins the indexes when it ends', async () => {
    // Prepare
    const queued = job('c-index');
    // Act
    await dynamo.store.create(queued);
    const listedQueued = await listedBy(queued);
    const validating = started(queued);
    await dynamo.store.update(validating, queued.version);
    const activeItem = await item(keys.job(queued.id));
    const lock = await item(keys.active('c-index'));
    const listedValidating = await listedBy(validating);
    const notQueuedAnyMore = (await dynamo.store.list({ state: 'queued' })).map((listed) => listed.id);
    const succeeded = ended(validating, 'succeeded');
    await dynamo.store.update(succeeded, validating.version);
    const endedItem = await item(keys.job(queued.id));
    // Assess
    expect(indexAttributesOf(activeItem)).toEqual([]);
    expect(indexAttributesOf(lock).sort()).toEqual(
      INDEX_ATTRIBUTES.filter((name) => name !== JOB_INDEXES.byCluster.partition).sort(),
    );
    expect(listedQueued).toEqual(everywhere);
    expect(listedValidating).toEqual(everywhere);
    expect(notQueuedAnyMore).not.toContain(queued.id);
    expect(indexAttributesOf(endedItem).sort()).toEqual([...INDEX_ATTRIBUTES].sort());
    expect(await item(keys.active('c-index'))).toBeUndefined();
    expect(await listedBy(succeeded)).toEqual(everywhere);
  });

  it('keeps an active job written before locks carried the index in every list until it ends', async () => {
    // Prepare: the job item indexed itself, its lock not, as the earlier layout wrote them
    const queued = job('c-before-locks');
    const { pk, sk, version, job: blob } = jobItem(queued);
    await dynamo.aws.clients.dynamo.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk, sk, version, job: blob, ...itemIndexBeforeLocks(queued) },
      }),
    );
    await dynamo.aws.clients.dynamo.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...keys.active(queued.cluster), jobId: queued.id, since: queued.createdAt },
      }),
    );
    // Act
    const validating = started(queued);
    await dynamo.store.update(validating, queued.version);
    // Another copy's start from the same version, a second later (the same write again would be
    // a retry whose answer was lost, and done)
    const rival = started(queued, new Date(Date.parse(queued.updatedAt) + 1000));
    const stale = await dynamo.store.update(rival, queued.version).catch((error: unknown) => error);
    // Assess
    expect(await listedBy(validating)).toEqual(everywhere);
    expect(stale).toMatchObject({ code: 'STALE_VERSION' });
    expect((await dynamo.store.get(queued.id))?.state).toBe('validating');
  });

  it('lists a job once while it shows both by its lock and by its own item', async () => {
    // Prepare: the moment after a job ended and before the index dropped its lock's entry
    const queued = job('c-both');
    await dynamo.store.create(queued);
    const succeeded = ended(queued, 'succeeded');
    await dynamo.store.update(succeeded, queued.version);
    await dynamo.aws.clients.dynamo.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...keys.active(queued.cluster), jobId: queued.id, ...itemIndexBeforeLocks(queued) },
      }),
    );
    // Act
    const listed = await dynamo.store.list({ cluster: queued.cluster });
    // Assess
    expect(listed.map((found) => [found.id, found.state])).toEqual([[queued.id, 'succeeded']]);
  });
});
