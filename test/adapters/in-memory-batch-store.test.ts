import { describe } from 'vitest';
import { batchStoreContract } from '#test/adapters/support/batch-store-contract.ts';
import { InMemoryBatchStore } from '#test/fakes/batch-store.ts';

describe('InMemoryBatchStore', () => {
  batchStoreContract(async () => new InMemoryBatchStore());
});
