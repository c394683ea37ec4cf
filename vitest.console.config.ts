/** `npm run test:console`: the web console's browser suite (headless Chromium), apart from `npm test`. */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default defineConfig({
  test: { ...base.test, include: ['test/console/**/*.test.ts'], exclude: ['**/node_modules/**'] },
});
