/**
 * Starts the simulated controllers of one cluster over its store: catalog sync, OLM (resolver,
 * bundle unpacking and plan execution), the Redis operator and its backup handling. They react to store events, write
 * only through the store (status through the status subresource), and time everything with the
 * SimClock, so `--speed` scales every delay.
 */

import type { SimClock } from '#sim/clock.ts';
import type { ClusterSpec } from '#sim/cluster-spec.ts';
import { backupController } from '#sim/controllers/backup-controller.ts';
import { BundleRegistry, clusterBundles } from '#sim/controllers/bundle-registry.ts';
import { catalogSync } from '#sim/controllers/catalog-sync.ts';
import { ControllerRuntime, type ErrorReporter } from '#sim/controllers/controller-context.ts';
import { olmInstaller } from '#sim/controllers/olm-installer.ts';
import { olmResolver } from '#sim/controllers/olm-resolver.ts';
import { olmUnpacker } from '#sim/controllers/olm-unpacker.ts';
import { redisOperator } from '#sim/controllers/redis-operator.ts';
import type { ClusterStore } from '#sim/store/cluster-store.ts';

export interface ControllerOptions {
  /** Where controller failures go (they never reach the client whose write woke them); default stderr. */
  onError?: ErrorReporter;
  /** The platform's bundles (default: the example packages'). */
  registry?: BundleRegistry;
}

export interface RunningControllers {
  stop(): void;
}

export function startControllers(
  store: ClusterStore,
  clock: SimClock,
  spec: ClusterSpec,
  options: ControllerOptions = {},
): RunningControllers {
  const report: ErrorReporter =
    options.onError ??
    ((error, what) => console.error(`[sim ${store.name}] controller ${what} failed:`, error));
  const bundles = clusterBundles(options.registry ?? BundleRegistry.platform(), spec);
  const runtime = new ControllerRuntime(store, clock, spec, bundles, report);
  const controllers = [
    catalogSync,
    olmResolver,
    olmUnpacker,
    olmInstaller,
    redisOperator,
    backupController,
  ].map((make) => make(runtime));
  const unsubscribe = store.subscribe((event) => {
    for (const controller of controllers) controller.onEvent(event);
  });
  for (const controller of controllers) controller.resync();
  return {
    stop() {
      unsubscribe();
      runtime.stop();
    },
  };
}
