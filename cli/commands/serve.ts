/**
 * `redis-upgrader serve`: the local runtime (HTTP API + one poller per stage queue) until Ctrl-C.
 * Flags override the REDIS_UPGRADER_* environment (shared/config.ts validates both alike). State
 * lives in the data dir, so a stopped or killed server started again on it continues every job.
 * Without $REDIS_UPGRADER_API_TOKEN a token is generated once and kept in the data dir.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { TOKEN_ENV } from '#cli/api-client.ts';
import { resolveCatalogPath } from '#cli/catalog-path.ts';
import { printJson, printLines } from '#cli/output.ts';
import { listenForStop } from '#cli/stop-signal.ts';

interface ServeFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  kubeconfig?: string;
  clusters?: string;
  catalog?: string;
  artifactMirror?: string;
  violet?: string;
  logLevel?: string;
  json?: boolean;
}

const P = 'REDIS_UPGRADER_';
const DEFAULT_DATA_DIR = '.redis-upgrader';
export const TOKEN_FILE = 'api-token';

type Env = Record<string, string | undefined>;

function port(value: string): string {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('expected a port from 0 to 65535');
  return value;
}

/** The environment the runtime's config is loaded from: flags win over variables. */
export function serveEnvironment(flags: ServeFlags, env: Env): Env {
  const flagged: Record<string, string | undefined> = {
    [`${P}HOST`]: flags.host,
    [`${P}PORT`]: flags.port,
    [`${P}DATA_DIR`]: flags.dataDir,
    [`${P}KUBECONFIG`]: flags.kubeconfig,
    [`${P}CLUSTERS_FILE`]: flags.clusters,
    [`${P}CATALOG`]: resolveCatalogPath(flags.catalog),
    [`${P}ARTIFACT_MIRROR`]: flags.artifactMirror,
    [`${P}VIOLET`]: flags.violet,
    [`${P}LOG_LEVEL`]: flags.logLevel,
  };
  const set = Object.entries(flagged).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { ...env, ...Object.fromEntries(set) };
}

/** The API token: the variable, else the one kept in the data dir, else a new one written there (0600). */
async function apiToken(env: Env): Promise<{ token: string; file?: string }> {
  const given = env[`${P}API_TOKEN`];
  if (given) return { token: given };
  const dir = resolve(env[`${P}DATA_DIR`] || DEFAULT_DATA_DIR);
  const file = join(dir, TOKEN_FILE);
  const kept = await readFile(file, 'utf8').catch(() => undefined);
  if (kept?.trim()) return { token: kept.trim(), file };
  await mkdir(dir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return { token, file };
}

async function serve(flags: ServeFlags): Promise<void> {
  const { loadConfig } = await import('#shared/config.ts');
  const { startLocalRuntime } = await import('#runtime/local-runtime.ts');
  const env = serveEnvironment(flags, process.env);
  const { token, file } = await apiToken(env);
  const config = loadConfig({ ...env, [`${P}API_TOKEN`]: token });
  const stop = listenForStop();
  try {
    const runtime = await startLocalRuntime(config);
    const where = {
      url: runtime.url,
      dataDir: config.dataDir,
      catalog: config.catalogPath,
      kubeconfig: config.kubeconfigPath,
      clustersFile: config.clustersFile ?? null,
      tokenFile: file ?? null,
    };
    if (flags.json) printJson(where);
    else {
      printLines(
        [
          `redis-upgrader API listening on ${runtime.url}`,
          `data: ${config.dataDir} (jobs and queues in SQLite, downloaded packages under artifacts/)`,
          `catalog: ${config.catalogPath}`,
          `kubeconfig: ${config.kubeconfigPath}${config.clustersFile ? `, clusters file: ${config.clustersFile}` : ''}`,
          file
            ? `API token: in ${file} (export ${TOKEN_ENV}=$(cat ${file}))`
            : `API token: from $${P}API_TOKEN (export ${TOKEN_ENV} the same value for the CLI)`,
          'Ctrl-C stops it; in-flight batches finish first, queued work resumes on the next start',
        ].join('\n'),
      );
    }
    const signal = await stop.received;
    if (!flags.json)
      printLines(`${signal}: stopping, letting in-flight batches finish (Ctrl-C again to force)`);
    await runtime.stop();
    if (!flags.json) printLines('stopped');
  } finally {
    stop.dispose();
  }
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'run the local runtime: the HTTP API and the stage workers, state in a data dir, until Ctrl-C',
    )
    .option('--host <addr>', `address to bind (default: $${P}HOST or 127.0.0.1)`)
    .option('--port <port>', `port, 0 for a random one (default: $${P}PORT or 8080)`, port)
    .option(
      '--data-dir <dir>',
      `where jobs, queues and packages live (default: $${P}DATA_DIR or ${DEFAULT_DATA_DIR})`,
    )
    .option(
      '--kubeconfig <file>',
      `kubeconfig with one context per cluster (default: $${P}KUBECONFIG, $KUBECONFIG or ~/.kube/config)`,
    )
    .option('--clusters <file>', `clusters file to register at start (default: $${P}CLUSTERS_FILE)`)
    .option('--catalog <file>', `catalog file (default: $${P}CATALOG or examples/catalog.json)`)
    .option('--artifact-mirror <url>', 'base URL to download packages from instead of the catalog URLs')
    .option('--violet <path>', `the violet executable (default: $${P}VIOLET or violet in PATH)`)
    .option('--log-level <level>', 'DEBUG, INFO, WARN, ERROR or SILENT (default: INFO)')
    .option('--json', 'print where it listens as one JSON object')
    .action(serve);
}
