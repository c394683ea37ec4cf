/**
 * PackageUploader that runs the ACP `violet push` CLI, exactly as an operator would:
 *   violet push PKG --platform-address URL --platform-token T --clusters C
 * The token has to be an argument (that is violet's interface), so it is redacted from every
 * message we produce and never logged. A platform certificate signed by a private CA (the one the
 * kubeconfig trusts) reaches violet as SSL_CERT_FILE, the trust roots a Go program reads.
 */
import { type ExecFileException, execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransientError, UpgraderError } from '#domain/errors.ts';
import type { ClusterRecord, PackageUploader } from '#shared/ports.ts';
import type { PlatformTarget } from './kube-cluster-gateway.ts';
import { classifyUploadFailure } from './violet-failure.ts';

export interface VioletUploaderOptions {
  /** Path or name (looked up in PATH) of the violet executable. */
  violet: string;
  target: (cluster: ClusterRecord) => Promise<PlatformTarget>;
  timeoutMs: number;
}

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
    await new Promise<void>((resolve, reject) => {
      execFile(
        this.#options.violet,
        args,
        { timeout: this.#options.timeoutMs, env },
        (error, _stdout, stderr) => {
          if (!error) return resolve();
          reject(this.#failure(error, String(stderr), cluster, target.token));
        },
      );
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
  #failure(error: ExecFileException, stderr: string, cluster: ClusterRecord, token: string): UpgraderError {
    const failed = `violet push to cluster ${cluster.name} failed`;
    const details = { exitCode: error.code, signal: error.signal };
    if (error.killed) {
      return new TransientError(
        `${failed}: no answer within ${this.#options.timeoutMs} ms (violet was stopped); whether it landed is checked on the cluster before pushing again`,
        { details },
      );
    }
    const said = lastLine(stderr);
    if (!said && typeof error.code === 'string') {
      return new UpgraderError(
        'UPLOAD_FAILED',
        `${failed}: cannot run ${this.#options.violet}: ${error.code}`,
        {
          details,
        },
      );
    }
    const reason = redact(
      said ?? `violet exited with ${error.code ?? error.signal} and said nothing on stderr`,
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
