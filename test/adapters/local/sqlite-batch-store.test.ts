import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteBatchStore } from '#adapters/local/sqlite-batch-store.ts';
import { openDatabase } from '#adapters/local/sqlite-database.ts';
import { UnreadableRecordError } from '#domain/errors.ts';
import { batchStoreContract } from '#test/adapters/support/batch-store-contract.ts';
import { testBatch } from '#test/fakes/batches.ts';
import { useTempDirs } from './support/temp-dir.ts';

const tempDir = useTempDirs();
const open: DatabaseSync[] = [];

afterEach(() => {
  for (const db of open.splice(0)) if (db.isOpen) db.close();
});

async function database(dir?: string): Promise<DatabaseSync> {
  const db = openDatabase(dir ?? (await tempDir()));
  open.push(db);
  return db;
}

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
