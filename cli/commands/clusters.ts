/** `redis-upgrader clusters list|show|register`: the registry of clusters jobs can target. */
import { type Command, InvalidArgumentError } from 'commander';
import { type ApiFlags, apiClientFor, withApiFlags } from '#cli/api-flags.ts';
import { printJson, printLines } from '#cli/output.ts';
import { renderFields, renderTable } from '#cli/table.ts';
import type { ClusterView } from '#shared/http/api-replies.ts';

interface RegisterFlags extends ApiFlags {
  context?: string;
  label?: Record<string, string>;
  platformVersion?: string;
}

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

/** `--label key=value`, repeatable; the server checks keys and values as Kubernetes labels. */
function label(value: string, labels: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected key=value');
  return { ...labels, [value.slice(0, at)]: value.slice(at + 1) };
}

export function renderClusters(clusters: readonly ClusterView[]): string {
  if (clusters.length === 0)
    return 'No clusters registered: add one with `redis-upgrader clusters register`.';
  return renderTable(
    ['NAME', 'CONTEXT', 'PLATFORM', 'LABELS'],
    clusters.map((c) => [c.name, c.context ?? '', c.platformVersion ?? '', labelText(c.labels)]),
  );
}

export function renderCluster(cluster: ClusterView): string {
  return renderFields([
    ['Cluster', cluster.name],
    ['Context', cluster.context],
    ['Kubeconfig', cluster.kubeconfigSecretArn],
    ['Platform', cluster.platformVersion && `ACP ${cluster.platformVersion}`],
    ['Labels', labelText(cluster.labels)],
  ]);
}

export function registerClustersCommand(program: Command): void {
  const clusters = program
    .command('clusters')
    .description('list, show and register the clusters upgrades can target');
  withApiFlags(clusters.command('list').description('list the registered clusters')).action(
    async (flags: ApiFlags, command: Command) => {
      const items = await apiClientFor(command).listClusters();
      if (flags.json) printJson({ items });
      else printLines(renderClusters(items));
    },
  );
  withApiFlags(
    clusters.command('show').description('show one registered cluster').argument('<name>', 'the cluster'),
  ).action(async (name: string, flags: ApiFlags, command: Command) => {
    const cluster = await apiClientFor(command).getCluster(name);
    if (flags.json) printJson(cluster);
    else printLines(renderCluster(cluster));
  });
  withApiFlags(
    clusters
      .command('register')
      .description('register a cluster, or replace its whole record (fields not given are cleared)')
      .argument('<name>', 'the cluster name, a lower-case DNS name')
      .option('--context <name>', 'its kubeconfig context; the cluster name when absent')
      .option('--label <key=value>', 'a label for batch selectors; repeat for more', label)
      .option('--platform-version <version>', 'its ACP version; used instead of what the cluster reports'),
  ).action(async (name: string, flags: RegisterFlags, command: Command) => {
    const { cluster, created } = await apiClientFor(command).putCluster(name, {
      labels: flags.label ?? {},
      ...(flags.context ? { context: flags.context } : {}),
      ...(flags.platformVersion ? { platformVersion: flags.platformVersion } : {}),
    });
    if (flags.json) printJson(cluster);
    else
      printLines(
        `${created ? 'Registered' : 'Replaced the record of'} cluster ${name}.\n${renderCluster(cluster)}`,
      );
  });
}
