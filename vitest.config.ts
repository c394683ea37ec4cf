import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The console's full browser suite runs with `npm run test:console`; npm test runs its smoke test.
    exclude: ['**/node_modules/**', 'test/console/suite/**'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
