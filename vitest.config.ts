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
  },
});
