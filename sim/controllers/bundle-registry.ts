/**
 * The bundles a simulated platform can serve, by CSV name: the example packages' bundles (and any
 * package uploaded during the run), as the platform's registry holds their bundle images. A
 * cluster's catalog reads a bundle's upgrade graph from here when it indexes an upload; a scenario
 * may give one cluster a different graph for a version (`catalog.bundles`: a rebuilt bundle, a
 * hand-edited index), which is how its catalog and the upgrader's plan come to disagree.
 */
import type { ClusterSpec } from '#sim/cluster-spec.ts';
import type { Bundle } from '#sim/packages/bundle.ts';
import { bundleOf } from '#sim/packages/example-bundles.ts';
import { exampleCatalogBundles } from '#sim/packages/example-packages.ts';

export type BundleLookup = (csv: string) => Bundle | undefined;

/** The second operator in redis-system whose pending plan OLM merges in (traps.mergedPlan). */
export const MERGED_PLAN_OPERATOR = {
  pkg: 'middleware-exporter',
  installed: '1.4.0',
  offered: '1.5.0',
  channel: 'stable',
};

function otherOperatorBundles(): Bundle[] {
  const { pkg, installed, offered, channel } = MERGED_PLAN_OPERATOR;
  return [
    bundleOf(pkg, installed, channel, { skips: [] }),
    bundleOf(pkg, offered, channel, { replaces: `${pkg}.v${installed}`, skips: [] }),
  ];
}

export class BundleRegistry {
  readonly #bundles = new Map<string, Bundle>();

  constructor(bundles: Iterable<Bundle>) {
    for (const bundle of bundles) this.add(bundle);
  }

  /** The platform registry's bundles: `bundles` (default: the example packages') and the other operator's. */
  static platform(bundles: Iterable<Bundle> = exampleCatalogBundles().values()): BundleRegistry {
    return new BundleRegistry([...bundles, ...otherOperatorBundles()]);
  }

  add(bundle: Bundle): void {
    this.#bundles.set(bundle.csv, bundle);
  }

  get(csv: string): Bundle | undefined {
    return this.#bundles.get(csv);
  }
}

/** One cluster's view of the registry, with its scenario's graph overrides applied. */
export function clusterBundles(registry: BundleRegistry, spec: Pick<ClusterSpec, 'catalog'>): BundleLookup {
  const overrides = spec.catalog?.bundles ?? {};
  return (csv) => {
    const bundle = registry.get(csv);
    const override = bundle && bundle.package === 'redis-operator' ? overrides[bundle.version] : undefined;
    return bundle && override ? { ...bundle, ...override } : bundle;
  };
}
