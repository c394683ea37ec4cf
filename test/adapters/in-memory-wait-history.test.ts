import { describe } from 'vitest';
import { waitHistoryContract } from '#test/adapters/support/wait-history-contract.ts';
import { InMemoryWaitHistory } from '#test/fakes/wait-history.ts';

describe('InMemoryWaitHistory', () => {
  waitHistoryContract(async () => new InMemoryWaitHistory());
});
