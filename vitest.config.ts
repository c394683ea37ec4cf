import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The console's broader browser suite runs with `npm run test:console`; npm test walks the operator's path.
    exclude: ['**/node_modules/**', 'test/console/suite/**'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default (cores - 1) runs one file at a time on a 2-core machine, where the end-to-end
    // files spend most of their time waiting on the simulator's clock and on child processes: three
    // at a time keep both cores busy (measured on 2 cores: 1 worker 402 s, 2 workers 219-291 s,
    // 3 workers 247 s beside 2's 291 s at the same load).
    maxWorkers: Math.max(3, availableParallelism()),
  },
});
