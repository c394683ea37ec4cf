/**
 * Runs a simulated fleet until told to stop: what `redis-upgrader sim` does (the command owns
 * flags and signals; sim/main.ts runs the command on its own).
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError } from '#domain/errors.ts';
import type { RunningHttpServer } from '#runtime/http-server.ts';
import { controlFileNextTo, removeControlFile, writeControlFile } from '#sim/control/control-client.ts';
import { startControlServer } from '#sim/control/control-server.ts';
import { type Fleet, startFleet } from '#sim/fleet.ts';

export interface SimRunOptions {
  clusters?: number;
  scenario?: string;
  seed?: number;
  speed?: number;
  port?: number;
  host?: string;
  /** Port of the control API (default: any free port). */
  controlPort?: number;
  kubeconfigOut: string;
  /** Plain HTTP instead of HTTPS (kubectl then refuses to send the token). */
  insecureHttp?: boolean;
  /** Persist the fleet here and restore it on the next start. */
  stateDir?: string;
  json?: boolean;
}

export interface SimRunIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves when the simulator should stop. */
  stopSignal: Promise<unknown>;
}

function range(names: string[]): string {
  return names.length <= 2 ? names.join(', ') : `${names[0]} … ${names.at(-1)}`;
}

interface Control {
  url: string;
  token: string;
  file: string;
}

function describe(fleet: Fleet, kubeconfig: string, caFile: string | undefined, control: Control): string[] {
  const count = fleet.clusterNames().length;
  const first = fleet.platforms[0];
  const tls = caFile
    ? `TLS: serving certificate signed by the CA in ${caFile} (certificate-authority-data in the kubeconfig)`
    : 'plain HTTP (--insecure-http): kubectl will not send the token; client-node needs insecure-skip-tls-verify';
  return [
    `simulated ACP fleet: ${count} cluster(s) on ${fleet.platforms.length} platform(s), seed ${fleet.seed}, speed ${fleet.speed}x`,
    ...fleet.platforms.map(
      (p) =>
        `  platform ${p.name}: ${p.url}  token ${p.token}  ${p.clusters.length} cluster(s): ${range(p.clusters)}`,
    ),
    `kubeconfig: ${kubeconfig} (one context per cluster, server <platform>/kubernetes/<cluster>, the platform token as user)`,
    tls,
    `package downloads (artifact mirror base URL): ${fleet.downloadBaseUrl}/<file>`,
    `upload: ${caFile ? `SSL_CERT_FILE=${caFile} ` : ''}sim/bin/violet push <file.tgz> --platform-address ${first?.url} --platform-token ${first?.token} --clusters ${first?.clusters[0]}`,
    `control API: ${control.url}  (POST /sim/v1/outages, GET /sim/v1/ledger; URL and bearer token in ${control.file})`,
    'press Ctrl-C to stop',
  ];
}

async function start(options: SimRunOptions): Promise<Fleet> {
  try {
    return await startFleet({
      ...(options.clusters === undefined ? {} : { clusters: options.clusters }),
      ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.speed === undefined ? {} : { speed: options.speed }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.insecureHttp ? { insecureHttp: true } : {}),
      ...(options.stateDir === undefined ? {} : { stateDir: resolve(options.stateDir) }),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      throw new ConfigError(`cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 0}: ${code}`, {
        cause: error,
      });
    }
    throw error;
  }
}

async function startControl(fleet: Fleet, options: SimRunOptions, token: string): Promise<RunningHttpServer> {
  try {
    return await startControlServer({
      fleet,
      token,
      host: options.host ?? '127.0.0.1',
      port: options.controlPort ?? 0,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(`control API: ${error.message}`, { cause: error });
  }
}

export async function runSim(options: SimRunOptions, io: SimRunIo): Promise<void> {
  const fleet = await start(options);
  let server: RunningHttpServer | undefined;
  let control: Control | undefined;
  try {
    const kubeconfig = resolve(options.kubeconfigOut);
    const { caFile } = await fleet.writeKubeconfig(kubeconfig);
    const token = randomBytes(24).toString('base64url');
    server = await startControl(fleet, options, token);
    control = { url: server.url, token, file: controlFileNextTo(kubeconfig) };
    await writeControlFile(control.file, { url: control.url, token });
    if (options.json) {
      io.out(
        JSON.stringify({
          kubeconfig,
          ...(caFile ? { certificateAuthorityFile: caFile } : {}),
          downloadBaseUrl: fleet.downloadBaseUrl,
          seed: fleet.seed,
          speed: fleet.speed,
          platforms: fleet.platforms,
          control,
          warnings: fleet.warnings,
        }),
      );
    } else {
      for (const line of describe(fleet, kubeconfig, caFile, control)) io.out(line);
    }
    for (const warning of fleet.warnings) io.err(`warning: ${warning}`);
    await io.stopSignal;
  } finally {
    // The file goes first, so nobody reads the address of a simulator that is stopping.
    if (control) await removeControlFile(control.file);
    await server?.close();
    await fleet.stop();
  }
  if (!options.json) io.out('simulator stopped');
}
