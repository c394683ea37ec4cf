/**
 * PackageUploader that runs the ACP `violet push` CLI, exactly as an operator would:
 *   violet push PKG --platform-address URL --platform-token T --clusters C
 * The token has to be an argument (that is violet's interface), so it is redacted from every
 * message we produce and never logged. A platform certificate signed by a private CA (the one the
 * kubeconfig trusts) reaches violet as SSL_CERT_FILE, the trust roots a Go program reads.
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TransientError, UpgraderError } from '#domain/errors.ts';
import type { ClusterRecord, PackageUploader } from '#shared/ports.ts';
import type { PlatformTarget } from './kube-cluster-gateway.ts';
import { classifyUploadFailure } from './violet-failure.ts';

export interface VioletUploaderOptions {
  /** Path or name (looked up in PATH) of the violet executable. */
  violet: string;
  target: (cluster: ClusterRecord) => Promise<PlatformTarget>;
  timeoutMs: number;
  /**
   * Run violet under violet-guard.ts (VIOLET_GUARD), which ends it when this process dies. For
   * long-lived processes (the local runtime); a Lambda's sandbox ends its children itself.
   */
  guard?: string;
}

export const VIOLET_GUARD = fileURLToPath(new URL('./violet-guard.ts', import.meta.url));

/** How a violet run ended. */
interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  /** The executable could not be started (ENOENT, EACCES). */
  spawnError?: string;
}

/** Keeps the end of stderr only: violet's last word is what the job shows. */
const STDERR_LIMIT = 64 * 1024;

export class VioletUploader implements PackageUploader {
  readonly #options: VioletUploaderOptions;
  #caDir: Promise<string> | undefined;

  constructor(options: VioletUploaderOptions) {
    this.#options = options;
  }

  async push(file: string, cluster: ClusterRecord): Promise<void> {
    const target = await this.#options.target(cluster);
    const args = [
      'push',
      file,
      '--platform-address',
      target.address,
      '--platform-token',
      target.token,
      '--clusters',
      target.cluster,
    ];
    const env = target.certificateAuthority
      ? { ...process.env, SSL_CERT_FILE: await this.#caFile(target.certificateAuthority) }
      : process.env;
    const exit = await this.#run(args, env);
    if (exit.code === 0) return;
    throw this.#failure(exit, cluster, target.token);
  }

  #run(args: string[], env: NodeJS.ProcessEnv): Promise<Exit> {
    const { violet, guard, timeoutMs } = this.#options;
    const [command, argv] = guard ? [process.execPath, [guard, violet, ...args]] : [violet, args];
    return new Promise((resolve) => {
      const child = spawn(command, argv, {
        env,
        stdio: ['ignore', 'ignore', 'pipe', ...(guard ? ['ipc' as const] : [])],
      });
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
      }, timeoutMs);
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_LIMIT);
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ code: null, signal: null, stderr, timedOut, spawnError: error.code ?? error.message });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stderr, timedOut });
      });
    });
  }

  /** The CA as a file (violet reads a path), one per distinct CA in a directory of this process. */
  async #caFile(pem: string): Promise<string> {
    this.#caDir ??= mkdtemp(join(tmpdir(), 'redis-upgrader-ca-'));
    const file = join(
      await this.#caDir,
      `${createHash('sha256').update(pem).digest('hex').slice(0, 16)}.crt`,
    );
    // Rewritten each push (a tmp cleaner may have removed it), whole: a concurrent push reading it
    // never sees half a certificate.
    const partial = `${file}.${randomUUID()}.tmp`;
    await writeFile(partial, pem, { mode: 0o600 });
    await rename(partial, file);
    return file;
  }

  /**
   * Violet's own last word, else ours; never error.message, which repeats the command line and
   * its token. A push that may pass later is a TransientError: the stage waits, confirms on the
   * cluster that the push did not land after all, and pushes again.
   */
  #failure(exit: Exit, cluster: ClusterRecord, token: string): UpgraderError {
    const failed = `violet push to cluster ${cluster.name} failed`;
    const details = { exitCode: exit.code, signal: exit.signal };
    if (exit.timedOut) {
      return new TransientError(
        `${failed}: no answer within ${this.#options.timeoutMs} ms (violet was stopped); whether it landed is checked on the cluster before pushing again`,
        { details },
      );
    }
    if (exit.spawnError) {
      return new UpgraderError(
        'UPLOAD_FAILED',
        `${failed}: cannot run ${this.#options.violet}: ${exit.spawnError}`,
        {
          details,
        },
      );
    }
    const said = lastLine(exit.stderr);
    const reason = redact(
      said ?? `violet exited with ${exit.code ?? exit.signal} and said nothing on stderr`,
      token,
    );
    if (said && classifyUploadFailure(said) === 'transient') {
      return new TransientError(`${failed}: ${reason}`, { details });
    }
    return new UpgraderError('UPLOAD_FAILED', `${failed}: ${reason}`, { details });
  }
}

function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
}

function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join('***') : text;
}
