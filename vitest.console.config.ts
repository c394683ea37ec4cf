/** `npm run test:console`: the web console's browser suite (headless Chromium), apart from `npm test`. */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// npm test's projects (which files share a worker) do not apply here: one list of console files.
const { projects: _projects, ...shared } = base.test ?? {};

export default defineConfig({
  test: { ...shared, include: ['test/console/**/*.test.ts'], exclude: ['**/node_modules/**'] },
});
