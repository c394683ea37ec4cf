import { describe, expect, it } from 'vitest';
import { SqliteBatchStore } from '#adapters/local/sqlite-batch-store.ts';
import { UnreadableRecordError } from '#domain/errors.ts';
import { batchStoreContract } from '#test/adapters/support/batch-store-contract.ts';
import { testBatch } from '#test/fakes/batches.ts';
import { useDatabases, useTempDirs } from './support/temp-dir.ts';

const tempDir = useTempDirs();
const database = useDatabases(tempDir);

describe('SqliteBatchStore', () => {
  batchStoreContract(async () => new SqliteBatchStore(await database()));

  it('keeps batches and events across a reopened database', async () => {
    const dir = await tempDir();
    const first = new SqliteBatchStore(await database(dir));
    await first.create(testBatch('b1'));

    const reopened = new SqliteBatchStore(await database(dir));

    expect(await reopened.get('b1')).toEqual(testBatch('b1'));
  });

  it('refuses a damaged record, naming the batch and the field', async () => {
    const db = await database();
    const store = new SqliteBatchStore(db);
    await store.create(testBatch('b1'));
    db.prepare("UPDATE batches SET data = json_set(data, '$.currentWave', 'one') WHERE id = 'b1'").run();

    const read = store.get('b1');

    await expect(read).rejects.toBeInstanceOf(UnreadableRecordError);
    await expect(read).rejects.toThrow(/stored batch b1 .*currentWave/);
  });
});
