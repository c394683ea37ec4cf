/**
 * The web console's build (issue 14): Preact through Vite's own JSX transform, no plugin. The
 * output in console/dist is what `serve` reads from disk on request and what the CDK stack copies
 * to S3; nothing in it is inline (no module-preload polyfill, no data: URIs), so both serve it
 * under a Content-Security-Policy that allows scripts, styles and fetches from 'self' only.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
});
