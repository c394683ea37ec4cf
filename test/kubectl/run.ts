/**
 * `npm run sim:kubectl`: the vendor's manual upgrade procedure, 3.16.2 -> 4.0.3 on one simulated
 * cluster, done with upstream `kubectl` (and the violet shim for the upload) against `sim` over
 * HTTPS with the kubeconfig it writes. Prints PASS or FAIL per command and exits 1 if any failed;
 * without kubectl on PATH it says so and exits 0 having run nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { type Fleet, startFleet } from '#sim/fleet.ts';
import { EXAMPLE_PACKAGES_DIR, readExampleCatalog } from '#sim/packages/example-packages.ts';
import { parseScenario } from '#sim/scenario.ts';
import { E2E_DEFAULTS } from '#test/e2e/support/e2e-fleet.ts';
import {
  check,
  equals,
  fails,
  has,
  kubectl,
  kubectlOnPath,
  record,
  results,
  run,
  startWatch,
  useEnvironment,
} from './kubectl-checks.ts';

const VIOLET = resolve(import.meta.dirname, '../../sim/bin/violet');
const TARGET = '4.0.3';
const TARGET_CSV = `redis-operator.v${TARGET}`;
const NS = ['-n', 'redis-system'];

function subscriptionYaml(extra: string): string {
  return `apiVersion: operators.coreos.com/v1alpha1
kind: Subscription
metadata:
  name: redis-operator
  namespace: redis-system
spec:
  channel: stable
  name: redis-operator
  source: platform
  sourceNamespace: cpaas-system
  installPlanApproval: Manual
${extra}`;
}

async function procedure(fleet: Fleet, dir: string, caFile: string): Promise<void> {
  const cluster = fleet.clusterNames()[0] as string;
  const platform = fleet.platforms[0] as Fleet['platforms'][number];
  const get = (...args: string[]) => ['get', ...args];
  // Before: access, the plugin's state, its instances and backups, the catalog, the fields to change.
  await check({
    what: 'server version',
    args: ['version', '-o', 'json'],
    expect: has('"gitVersion": "v1.30'),
  });
  await check({
    what: 'health',
    args: ['get', '--raw', `/kubernetes/${cluster}/readyz`],
    expect: equals('ok'),
  });
  await check({
    what: 'access review',
    args: ['auth', 'can-i', 'patch', 'installplans', ...NS],
    expect: equals('yes'),
  });
  await check({
    what: 'OLM category',
    args: [...get('olm'), ...NS],
    expect: has('subscription.operators.coreos.com/redis-operator', 'PACKAGE'),
  });
  await check({
    what: 'subscription table',
    args: [...get('sub', 'redis-operator'), ...NS],
    expect: has('CHANNEL', 'stable'),
  });
  await check({
    what: 'installed CSV',
    args: [...get('csv'), ...NS],
    expect: has('redis-operator.v3.16.2', 'Succeeded'),
  });
  await check({
    what: 'describe',
    args: ['describe', 'subscription', 'redis-operator', ...NS],
    expect: has('Installed CSV:', 'redis-operator.v3.16.2'),
  });
  await check({ what: 'instances', args: [...get('redis,redisfailover', '-A')], expect: has('Ready') });
  await check({
    what: 'backups',
    args: [...get('redisbackups', '-A')],
    expect: has('redis-apps'),
  });
  await check({
    what: 'explain',
    args: ['explain', 'subscription.spec.installPlanApproval'],
    expect: has('Manual'),
  });
  // Upload: violet, then the catalog offers the target and OLM plans it (Manual: waits for approval).
  const entry = (await readExampleCatalog()).versions.find((v) => v.version === TARGET);
  const pkg = join(EXAMPLE_PACKAGES_DIR, basename(new URL(entry?.artifact.url ?? '').pathname));
  const pushArgs = [
    'push',
    pkg,
    '--platform-address',
    platform.url,
    '--platform-token',
    platform.token,
    '--clusters',
    cluster,
  ];
  const pushed = await run(VIOLET, pushArgs, { env: { ...process.env, SSL_CERT_FILE: caFile } }).then(
    () => undefined,
    (error: { stderr?: string }) => error.stderr ?? String(error),
  );
  record('upload', `violet push ${basename(pkg)}`, pushed);
  await check({
    what: 'wait for the plan',
    args: [
      'wait',
      '--for=jsonpath={.status.state}=UpgradePending',
      'subscription/redis-operator',
      ...NS,
      '--timeout=60s',
    ],
    expect: has('condition met'),
  });
  const plan = (
    await kubectl([...get('sub', 'redis-operator'), ...NS, '-o', 'jsonpath={.status.installPlanRef.name}'])
  ).out.trim();
  await check({
    what: 'the plan installs exactly the target',
    args: [...get('installplan', plan), ...NS, '-o', 'jsonpath={.spec.clusterServiceVersionNames}'],
    expect: equals(`["${TARGET_CSV}"]`),
  });
  // Approve: a server dry run first (nothing changes), then for real, watching the CSVs meanwhile.
  const approve = [
    'patch',
    'installplan',
    plan,
    ...NS,
    '--type',
    'merge',
    '-p',
    '{"spec":{"approved":true}}',
  ];
  await check({
    what: 'approval, server dry run',
    args: [...approve, '--dry-run=server', '-o', 'jsonpath={.spec.approved}'],
    expect: equals('true'),
  });
  await check({
    what: 'still unapproved',
    args: [...get('installplan', plan), ...NS, '-o', 'jsonpath={.spec.approved}'],
    expect: equals('false'),
  });
  const watching = startWatch(['get', 'csv', ...NS, '--watch', '--output-watch-events']);
  await check({ what: 'approve', args: approve, expect: has('patched') });
  await check({
    what: 'wait for the plan to complete',
    args: ['wait', '--for=jsonpath={.status.phase}=Complete', `installplan/${plan}`, ...NS, '--timeout=60s'],
    expect: has('condition met'),
  });
  await check({
    what: 'wait for the CSV',
    args: ['wait', '--for=jsonpath={.status.phase}=Succeeded', `csv/${TARGET_CSV}`, ...NS, '--timeout=60s'],
    expect: has('condition met'),
  });
  const watched = await watching.stop();
  const watchWhy =
    watched.includes(TARGET_CSV) && watched.includes('Succeeded')
      ? undefined
      : `watch saw: ${watched.trim().slice(-300)}`;
  record(
    'watch the CSVs during the install',
    'kubectl get csv -n redis-system --watch --output-watch-events',
    watchWhy,
  );
  await check({
    what: 'installed',
    args: [
      'wait',
      `--for=jsonpath={.status.installedCSV}=${TARGET_CSV}`,
      'sub/redis-operator',
      ...NS,
      '--timeout=60s',
    ],
    expect: has('condition met'),
  });
  // After: manage the Subscription declaratively, as a GitOps repository would.
  const file = join(dir, 'subscription.yaml');
  await writeFile(file, subscriptionYaml('  config:\n    env:\n    - name: LOG_LEVEL\n      value: debug\n'));
  await check({
    what: 'diff shows the change',
    args: ['diff', '-f', file],
    expect: (r) =>
      r.code === 1 && r.out.includes('+    - name: LOG_LEVEL')
        ? undefined
        : `exit ${r.code}: ${r.out.trim()}`,
  });
  await check({
    what: 'apply, server dry run',
    args: ['apply', '--server-side', '--dry-run=server', '-f', file],
    expect: has('serverside-applied (server dry run)'),
  });
  await check({
    what: 'apply (server-side)',
    args: ['apply', '--server-side', '-f', file],
    expect: has('serverside-applied'),
  });
  await check({
    what: 'diff is empty after apply',
    args: ['diff', '--server-side', '-f', file],
    expect: equals(''),
  });
  const typo = join(dir, 'typo.yaml');
  await writeFile(typo, subscriptionYaml('  chanel: stable\n'));
  await check({
    what: 'a typo is refused (strict validation)',
    args: ['apply', '--server-side', '-f', typo],
    expect: fails(1, 'unknown field "spec.chanel"'),
  });
  await check({
    what: 'instances still Ready',
    args: [...get('redis,redisfailover', '-A')],
    expect: has('Ready'),
  });
}

if (!(await kubectlOnPath())) {
  console.log('sim:kubectl: kubectl is not on PATH; nothing was run (install kubectl to run the procedure)');
  process.exit(0);
}
const dir = await mkdtemp(join(tmpdir(), 'sim-kubectl-'));
const fleet = await startFleet({
  speed: 2_000,
  scenario: parseScenario({
    clusters: { count: 1 },
    defaults: E2E_DEFAULTS,
  }),
});
try {
  const kubeconfig = join(dir, 'kubeconfig');
  const { caFile } = await fleet.writeKubeconfig(kubeconfig);
  useEnvironment({ ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache') });
  console.log(`sim:kubectl: ${fleet.platforms[0]?.url} (kubeconfig ${kubeconfig})`);
  await procedure(fleet, dir, caFile as string);
} finally {
  await fleet.stop();
  await rm(dir, { recursive: true, force: true });
}
const failed = results.filter((r) => !r.ok);
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
process.exitCode = failed.length > 0 ? 1 : 0;
