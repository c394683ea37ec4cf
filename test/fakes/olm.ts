import semver from 'semver';
import type { Catalog } from '#domain/catalog.ts';
import type { InstallPlanView } from '#domain/cluster-views.ts';
import type { FakeCluster } from '#test/fakes/cluster.ts';

/**
 * Just enough of ACP + OLM for pipeline tests on a FakeCluster: a pushed package makes its
 * ArtifactVersion report Success and the PackageManifest offer its CSV; the Subscription's
 * channel head newer than the installed CSV gets an InstallPlan (RequiresApproval on Manual,
 * installed at once on Automatic); an approved plan installs its CSV.
 * Knobs: `syncOnPush` (false: the catalog never syncs), `installOutcome`.
 */
export class FakeOlm {
  readonly cluster: FakeCluster;
  readonly catalog: Catalog;
  syncOnPush = true;
  installOutcome: 'Succeeded' | 'Failed' = 'Succeeded';
  private planCounter = 0;

  constructor(cluster: FakeCluster, catalog: Catalog) {
    this.cluster = cluster;
    this.catalog = catalog;
    cluster.onApprove = (plan) => this.install(plan.name);
    cluster.onChannelPatch = () => this.resolve();
  }

  /** What ACP does when `violet push` uploads `file` (named like `...v<version>.tgz`). */
  pushed(file: string): void {
    const entry = this.catalog.versions.find((candidate) => file.endsWith(`v${candidate.version}.tgz`));
    if (!entry) throw new Error(`FakeOlm: no catalog version for pushed file ${file}`);
    this.cluster.state.artifactVersions[`${this.catalog.package}.v${entry.version}`] = 'Success';
    if (!this.syncOnPush) return;
    this.offer(entry.channel, entry.csv);
  }

  /** The PackageManifest starts offering `csv` in `channel`. */
  offer(channel: string, csv: string): void {
    const offered = this.cluster.state.offered;
    offered[channel] = [...new Set([...(offered[channel] ?? []), csv])];
    this.resolve();
  }

  private versionOf(csv: string): string {
    return csv.slice(`${this.catalog.package}.v`.length);
  }

  /** OLM's resolution: a plan for the channel head when it is newer than what is installed. */
  resolve(): void {
    const state = this.cluster.state;
    const subscription = state.subscription;
    const pending = state.installPlans.some(
      (plan) => plan.phase === 'RequiresApproval' || plan.phase === 'Installing',
    );
    const installed = subscription.installedCSV ? this.versionOf(subscription.installedCSV) : '0.0.0';
    const head = (state.offered[subscription.channel] ?? [])
      .filter((csv) => semver.gt(this.versionOf(csv), installed))
      .sort((a, b) => semver.compare(this.versionOf(a), this.versionOf(b)))
      .at(-1);
    if (pending || !head) return;
    this.planCounter += 1;
    const plan: InstallPlanView = {
      name: `install-${this.cluster.name}-${this.planCounter}`,
      namespace: subscription.namespace,
      csvNames: [head],
      approval: subscription.approval,
      approved: subscription.approval === 'Automatic',
      phase: 'RequiresApproval',
      resourceVersion: this.cluster.bump(),
    };
    state.installPlans.push(plan);
    subscription.installPlanRef = { name: plan.name, namespace: plan.namespace };
    subscription.currentCSV = head;
    subscription.state = 'UpgradePending';
    if (plan.approved) this.install(plan.name);
  }

  install(planName: string): void {
    const state = this.cluster.state;
    const plan = state.installPlans.find((candidate) => candidate.name === planName);
    const csv = plan?.csvNames[0];
    if (!plan || !csv) return;
    const succeeded = this.installOutcome === 'Succeeded';
    plan.phase = 'Complete';
    state.csvs.push({
      name: csv,
      version: this.versionOf(csv),
      phase: this.installOutcome,
      ...(succeeded ? {} : { message: 'install strategy failed: deployment redis-operator not available' }),
    });
    if (!succeeded) return;
    state.subscription.installedCSV = csv;
    state.subscription.currentCSV = csv;
    state.subscription.state = 'AtLatestKnown';
  }
}
