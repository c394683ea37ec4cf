import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Files that start no simulated fleet, serve, CLI or browser, and close what servers they open:
 * fakes, pure functions, SQLite, loopback stubs and the in-process AWS emulators (stopped in
 * afterAll), CDK synths. They share a worker and its loaded modules instead of a fresh process
 * per file, whose spawn and imports cost ~0.9-1.2 s a file on 2 cores (and aws-cdk-lib's first
 * load several seconds). Measured side by side at load 4-6:
 * domain, usecases, api and webhooks (65 files) 49-80 s isolated, 22-24 s shared; the adapters
 * below (21 files) 31 s and 14.5 s; infra, lint and runtime (14 files) 42-49 s and 22-41 s.
 * Files that start a fleet, the kube simulator, a runtime on a fleet, serve, chromium or the CLI
 * stay isolated, so nothing they leave running can reach another file; so do files that assert
 * on wall-clock time (test/runtime's queue poller, test/sim's clock and controllers: shared, a
 * sim-clock and a backup-controller test once missed their real-time bounds).
 */
const SHARED_WORKER = [
  'test/domain/**/*.test.ts',
  'test/usecases/**/*.test.ts',
  'test/api/**/*.test.ts',
  'test/webhooks/**/*.test.ts',
  'test/adapters/*.test.ts',
  'test/adapters/aws/**/*.test.ts',
  'test/adapters/local/**/*.test.ts',
  'test/infra/**/*.test.ts',
  'test/lint/**/*.test.ts',
  // Pure files in folders that otherwise stay isolated: no fleet, server, child process or clock.
  'test/bench/cost-model.test.ts',
  'test/cli/duration.test.ts',
  'test/cli/upgrade-progress.test.ts',
  'test/cli/rollout-board.test.ts',
  'test/runtime/config.test.ts',
  'test/runtime/request-target.test.ts',
  'test/runtime/pipeline-settings.test.ts',
  'test/adapters/kube/push-groups.test.ts',
  'test/adapters/kube/kube-config-text.test.ts',
  'test/adapters/kube/violet-failure.test.ts',
];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    // Node's on-disk compile cache (stripped TypeScript and V8 code) for the workers and every process
    // they start: the CLI, serve, the simulator and the violet shim start hundreds of times a run.
    // cli/main.ts enables the cache itself, but only after Node has stripped main.ts, which loads the
    // type stripper (~0.1-0.2 s CPU a start); set in the environment, a cached start never loads it.
    // The same directory as Node's default (and the violet shim's), so runs reuse each other's cache.
    env: { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'node-compile-cache') },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default (cores - 1) runs one file at a time on a 2-core machine, where the end-to-end
    // files spend most of their time waiting on the simulator's clock and on child processes: three
    // at a time keep both cores busy (measured on 2 cores: 1 worker 402 s, 2 workers 219-291 s,
    // 3 workers 247 s beside 2's 291 s at the same load).
    maxWorkers: Math.max(3, availableParallelism()),
    projects: [
      { extends: true, test: { name: 'shared-worker', include: SHARED_WORKER, isolate: false } },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ['test/**/*.test.ts'],
          // The console's broader browser suite runs with `npm run test:console`; npm test walks the operator's path.
          exclude: ['**/node_modules/**', 'test/console/suite/**', ...SHARED_WORKER],
        },
      },
    ],
  },
});
