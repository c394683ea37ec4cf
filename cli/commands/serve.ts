/**
 * `redis-upgrader serve`: the local runtime (HTTP API + one poller per stage queue) until Ctrl-C.
 * Flags override the REDIS_UPGRADER_* environment (shared/config.ts validates both alike). State
 * lives in the data dir, so a stopped or killed server started again on it continues every job.
 * Without $REDIS_UPGRADER_API_TOKEN a token is generated once and kept in the data dir.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { TOKEN_ENV, URL_ENV } from '#cli/api-target.ts';
import { catalogOption, resolveCatalogPath } from '#cli/catalog-path.ts';
import { printJson, printLines } from '#cli/output.ts';
import { listenForStop } from '#cli/stop-signal.ts';
import { ConfigError, errorMessage } from '#domain/errors.ts';

interface ServeFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  kubeconfig?: string;
  clusters?: string;
  catalog?: string;
  artifactMirror?: string;
  artifactMirrorCa?: string;
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
    [`${P}ARTIFACT_MIRROR_CA`]: flags.artifactMirrorCa,
    [`${P}VIOLET`]: flags.violet,
    [`${P}LOG_LEVEL`]: flags.logLevel,
  };
  const set = Object.entries(flagged).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { ...env, ...Object.fromEntries(set) };
}

/** A data dir the server cannot use is a bad setting (exit 2), not an unexpected failure. */
function dataDirError(dir: string, error: unknown): ConfigError {
  return new ConfigError(
    `cannot use data dir ${dir}: ${errorMessage(error)}: choose another with --data-dir or $${P}DATA_DIR`,
    { cause: error },
  );
}

/** Made if missing and checked before the runtime opens its database there, so a bad one fails as one line. */
async function prepareDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw dataDirError(dir, error);
  }
}

/** The API token: the variable, else the one kept in the data dir, else a new one written there (0600). */
async function apiToken(env: Env, dir: string): Promise<{ token: string; file?: string }> {
  const given = env[`${P}API_TOKEN`];
  if (given) return { token: given };
  const file = join(dir, TOKEN_FILE);
  const kept = await readFile(file, 'utf8').catch(() => undefined);
  if (kept?.trim()) return { token: kept.trim(), file };
  const token = randomBytes(24).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 }).catch((error: unknown) => {
    throw dataDirError(dir, error);
  });
  return { token, file };
}

async function serve(flags: ServeFlags): Promise<void> {
  const { loadConfig } = await import('#shared/config.ts');
  const { startLocalRuntime } = await import('#runtime/local-runtime.ts');
  const env = serveEnvironment(flags, process.env);
  const dataDir = resolve(env[`${P}DATA_DIR`] || DEFAULT_DATA_DIR);
  await prepareDataDir(dataDir);
  const { token, file } = await apiToken(env, dataDir);
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
            ? `API token: in ${file} (for the CLI: export ${URL_ENV}=${runtime.url} ${TOKEN_ENV}=$(cat ${file}))`
            : `API token: from $${P}API_TOKEN (for the CLI: export ${URL_ENV}=${runtime.url} and ${TOKEN_ENV} the same token)`,
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

/**
 * A setting of the runtime as a flag, shown with its variable. Its default is the runtime
 * config's (shared/config.ts), not restated here; the README lists them.
 */
function setting(flags: string, description: string, variable: string): Option {
  return new Option(flags, description).env(`${P}${variable}`);
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'run the local runtime: the HTTP API and the stage workers, state in a data dir, until Ctrl-C',
    )
    .addOption(setting('--host <addr>', 'address to bind', 'HOST'))
    .addOption(setting('--port <port>', 'port, 0 for a random one', 'PORT').argParser(port))
    .addOption(setting('--data-dir <dir>', 'where jobs, queues, packages and the API token live', 'DATA_DIR'))
    .addOption(
      setting(
        '--kubeconfig <file>',
        'kubeconfig with one context per cluster; else $KUBECONFIG, else ~/.kube/config',
        'KUBECONFIG',
      ),
    )
    .addOption(setting('--clusters <file>', 'clusters file to register at start', 'CLUSTERS_FILE'))
    .addOption(catalogOption())
    .addOption(
      setting(
        '--artifact-mirror <url>',
        'base URL to download packages from instead of the catalog URLs',
        'ARTIFACT_MIRROR',
      ),
    )
    .addOption(
      setting(
        '--artifact-mirror-ca <file>',
        "PEM CA to trust for downloads besides the system's, e.g. the simulator's sim-ca.crt",
        'ARTIFACT_MIRROR_CA',
      ),
    )
    .addOption(setting('--violet <path>', 'the violet executable; else violet in PATH', 'VIOLET'))
    .addOption(setting('--log-level <level>', 'DEBUG, INFO, WARN, ERROR or SILENT', 'LOG_LEVEL'))
    .option('--json', 'print where it listens as one JSON object')
    .action(serve);
}
