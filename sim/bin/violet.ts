/**
 * A `violet`-compatible shim for the simulated platform, for the one command the product uses:
 *   violet push FILE --platform-address URL --platform-token T [--clusters a,b]
 * Like violet it first reads the package (a corrupt or unknown one fails before any network
 * call), then uploads it to the platform, which pushes it to each cluster. Progress goes to
 * stdout; every failure ends with one line on stderr and exit code 1.
 *
 * A platform whose certificate a private CA signed (the simulator's, per run) is trusted through
 * SSL_CERT_FILE, the variable a Go program such as the real violet reads for its trust roots.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { Command } from 'commander';
import { type PluginManifest, readPluginPackage } from '#sim/packages/plugin-package.ts';
import type { ClusterUploadResult } from '#sim/upload/upload-route.ts';
import { UPLOAD_PATH } from '#sim/upload/upload-route.ts';

const UPLOAD_TIMEOUT_MS = 5 * 60_000;

class VioletError extends Error {}

interface PushOptions {
  platformAddress: string;
  platformToken: string;
  clusters: string;
}

interface UploadAnswer {
  results?: ClusterUploadResult[];
  message?: string;
}

async function readPackage(file: string): Promise<{ body: Buffer; manifest: PluginManifest }> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (error) {
    throw new VioletError(`cannot read package ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  try {
    return { body, manifest: readPluginPackage(body).manifest };
  } catch (error) {
    throw new VioletError(`${basename(file)}: ${(error as Error).message}`);
  }
}

/** Adds SSL_CERT_FILE's CA to this process's trust roots (the shim is one process per push). */
async function trustSslCertFile(): Promise<void> {
  const file = process.env.SSL_CERT_FILE;
  if (!file) return;
  try {
    setDefaultCACertificates([...getCACertificates('default'), await readFile(file, 'utf8')]);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new VioletError(`cannot use SSL_CERT_FILE ${file}: ${reason}`);
  }
}

async function post(url: URL, token: string, body: Buffer): Promise<Response> {
  await trustSslCertFile();
  try {
    return await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/gzip' },
      body,
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new VioletError(
      `cannot reach platform ${url.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    );
  }
}

async function answerOf(response: Response): Promise<UploadAnswer> {
  const text = await response.text();
  try {
    return JSON.parse(text) as UploadAnswer;
  } catch {
    return { message: text.trim() || response.statusText };
  }
}

function reportResults(results: ClusterUploadResult[]): void {
  for (const result of results) {
    const line = `cluster ${result.cluster}: ${result.status}: ${result.message}`;
    if (result.status === 'Success') console.log(line);
    else console.error(line);
  }
  const failed = results.filter((result) => result.status !== 'Success').map((result) => result.cluster);
  if (failed.length > 0) throw new VioletError(`push failed for cluster(s): ${failed.join(', ')}`);
}

function uploadUrl(platformAddress: string): URL {
  try {
    return new URL(UPLOAD_PATH, platformAddress);
  } catch {
    throw new VioletError(`--platform-address ${platformAddress} is not a URL`);
  }
}

async function push(file: string, options: PushOptions): Promise<void> {
  const clusters = options.clusters
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (clusters.length === 0) throw new VioletError('--clusters names no cluster');
  console.log(`[1/3] extracting ${basename(file)}`);
  const { body, manifest } = await readPackage(file);
  console.log(`      package ${manifest.package} version ${manifest.version} channel ${manifest.channel}`);
  console.log(`[2/3] pushing images to cluster(s) ${clusters.join(', ')}`);
  const url = uploadUrl(options.platformAddress);
  url.searchParams.set('clusters', clusters.join(','));
  const response = await post(url, options.platformToken, body);
  const answer = await answerOf(response);
  if (response.status === 401)
    throw new VioletError(`platform ${url.origin} refused the token (401 Unauthorized)`);
  if (!response.ok)
    throw new VioletError(`platform ${url.origin} answered ${response.status}: ${answer.message}`);
  console.log(`[3/3] creating Artifact and ArtifactVersion ${manifest.package}.v${manifest.version}`);
  reportResults(answer.results ?? []);
  console.log(`push finished: ${manifest.package} v${manifest.version} on ${clusters.length} cluster(s)`);
}

const program = new Command('violet').description('simulated ACP package uploader (redis-upgrader sim)');
program
  .command('push')
  .argument('<file>', 'package file (.tgz)')
  .requiredOption('--platform-address <url>', 'platform address, e.g. https://acp.example.com')
  .requiredOption('--platform-token <token>', 'platform user token')
  .option('--clusters <names>', 'comma-separated target clusters', 'global')
  .action(push);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof VioletError)) throw error;
  console.error(`violet: ${error.message}`);
  process.exitCode = 1;
}
