import { describe, expect, it } from 'vitest';
import { SqliteWaitHistory } from '#adapters/local/sqlite-wait-history.ts';
import { waitHistoryContract, waitRecord } from '#test/adapters/support/wait-history-contract.ts';
import { useDatabases, useTempDirs } from './support/temp-dir.ts';

const tempDir = useTempDirs();
const database = useDatabases(tempDir);

describe('SqliteWaitHistory', () => {
  waitHistoryContract(async () => new SqliteWaitHistory(await database()));

  it('keeps its records for another connection to the same data directory', async () => {
    // Prepare
    const dir = await tempDir();
    const first = new SqliteWaitHistory(await database(dir));
    await first.record(0, waitRecord(30));
    await first.record(19, waitRecord(40));
    // Act
    const reopened = new SqliteWaitHistory(await database(dir));
    // Assess
    expect(await reopened.recent()).toHaveLength(2);
    expect(await reopened.recent()).toEqual(expect.arrayContaining([waitRecord(30), waitRecord(40)]));
  });
});
