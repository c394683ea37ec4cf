/**
 * `redis-upgrader sim` as its own process: the simulated fleet the chaos runs upgrade, with its
 * control API (outages, the side-effect ledger) reached over HTTP like any other client would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { SimControlClient } from '#sim/control/control-client.ts';
import { tracked } from './child-processes.ts';
import { CLI, readyLine } from './serve-process.ts';

export interface SimPlatformInfo {
  name: string;
  url: string;
  token: string;
  clusters: string[];
}

interface SimReady {
  kubeconfig: string;
  certificateAuthorityFile: string;
  downloadBaseUrl: string;
  platforms: SimPlatformInfo[];
  control: { url: string; token: string; file: string };
}

export interface SimProcess {
  kubeconfig: string;
  /** The run's CA (sim-ca.crt next to the kubeconfig): the platforms serve HTTPS. */
  certificateAuthorityFile: string;
  downloadBaseUrl: string;
  platforms: SimPlatformInfo[];
  control: SimControlClient;
  stop(): Promise<void>;
}

export async function simProcess(options: { scenarioFile: string; dir: string }): Promise<SimProcess> {
  const log = createWriteStream(join(options.dir, 'sim.log'), { flags: 'a' });
  const child: ChildProcess = tracked(
    spawn(
      process.execPath,
      [
        CLI,
        'sim',
        '--scenario',
        options.scenarioFile,
        '--kubeconfig-out',
        join(options.dir, 'kubeconfig'),
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  child.stderr?.pipe(log);
  const ready = await readyLine<SimReady>(
    child,
    'redis-upgrader sim',
    (value) => typeof value.kubeconfig === 'string',
    (line) => log.write(`${line}\n`),
  );
  return {
    kubeconfig: ready.kubeconfig,
    certificateAuthorityFile: ready.certificateAuthorityFile,
    downloadBaseUrl: ready.downloadBaseUrl,
    platforms: ready.platforms,
    control: new SimControlClient({ url: ready.control.url, token: ready.control.token }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
