/**
 * PackageUploader that runs the ACP `violet push` CLI, exactly as an operator would:
 *   violet push PKG --platform-address URL --platform-token T --clusters A,B,C
 * Pushes of one package to clusters of one platform that come within a short gathering window
 * (or while a push of it runs) go as one run with every cluster in `--clusters` (push-groups.ts):
 * the images reach the platform once, and one process does the work of many. When such a run
 * fails for good, its exit code does not say which clusters it reached: each member gets a
 * transient failure, its stage checks its own ArtifactVersion before pushing again, and its next
 * push from this process goes alone, so the failure ends only the jobs of the clusters it hit. The token has to be an argument (that is violet's interface), so it is
 * redacted from every message we produce and never logged. A platform certificate signed by a
 * private CA (the one the kubeconfig trusts) reaches violet as SSL_CERT_FILE, the trust roots a
 * Go program reads.
 *
 * A run has a deadline, not only a duration: it ends by the end of the invocation that carries
 * its pushes (`deadline`) less the time kept to record the outcome (`marginMs`), and lasts at most
 * `timeoutMs`. The pushes of an invocation share its time with their downloads and with waiting
 * for the run before theirs; a hung violet that outlived the Lambda invocation failed its whole
 * batch. A push that finds less than `minRunMs` left starts no run: it fails transiently, so its
 * job waits and the next delivery, in a fresh invocation, pushes.
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
import { type PushGroupOptions, PushGroups } from './push-groups.ts';
import { classifyUploadFailure } from './violet-failure.ts';

export interface VioletUploaderOptions {
  /** Path or name (looked up in PATH) of the violet executable. */
  violet: string;
  target: (cluster: ClusterRecord) => Promise<PlatformTarget>;
  /** The longest a run may last. */
  timeoutMs: number;
  /** When the invocation carrying the current push ends, epoch ms (#adapters/record-processor.ts). */
  deadline?: () => number | undefined;
  /** Kept between a run's end and the invocation's, to record its outcome (default 0). */
  marginMs?: number;
  /** The least time worth starting a run with (default a quarter of timeoutMs, at most 30 s). */
  minRunMs?: number;
  /**
   * Run violet under violet-guard.ts (VIOLET_GUARD), which ends it when this process dies. For
   * long-lived processes (the local runtime); a Lambda's sandbox ends its children itself.
   */
  guard?: string;
  /** How pushes of one package to one platform are gathered into one run (DEFAULT_PUSH_GROUPS). */
  groups?: Partial<PushGroupOptions>;
}

/**
 * A fifth of a second gathers the clusters of a burst (a rollout wave, a Lambda batch) at a cost
 * no upgrade notices. A hundred clusters a run keeps a failed run's blast radius and its command
 * line modest, and a thousand-cluster rollout to ten runs (own-process simulator, 1,000 clusters:
 * 8 s in uploading on average with fifty a run, 0.9 s with a hundred; 59 s -> 49 s in all).
 */
export const DEFAULT_PUSH_GROUPS: PushGroupOptions = { gatherMs: 200, maxMembers: 100 };

/** About one image upload to a platform: a run with less time left would likely be stopped. */
const MIN_RUN_MS = 30_000;

interface Member {
  file: string;
  cluster: ClusterRecord;
  target: PlatformTarget;
  /** The end of the invocation that pushes it, epoch ms; none outside an invocation. */
  deadline: number | undefined;
}

export const VIOLET_GUARD = fileURLToPath(new URL('./violet-guard.ts', import.meta.url));

/** How a violet run ended. */
interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  /** How long it was given. */
  timeoutMs: number;
  /** The executable could not be started (ENOENT, EACCES). */
  spawnError?: string;
}

/** Keeps the end of stderr only: violet's last word is what the job shows. */
const STDERR_LIMIT = 64 * 1024;

export class VioletUploader implements PackageUploader {
  readonly #options: VioletUploaderOptions;
  readonly #groups: PushGroups<Member>;
  /** Clusters whose last push was a shared run that failed: their next push goes alone. */
  readonly #alone = new Set<string>();
  #caDir: Promise<string> | undefined;
  readonly #marginMs: number;
  readonly #minRunMs: number;

  constructor(options: VioletUploaderOptions) {
    this.#options = options;
    this.#marginMs = options.marginMs ?? 0;
    this.#minRunMs = options.minRunMs ?? Math.min(MIN_RUN_MS, options.timeoutMs / 4);
    this.#groups = new PushGroups(
      (_key, members) => this.#push(members),
      { ...DEFAULT_PUSH_GROUPS, ...options.groups },
      (member) => this.#refusal(member),
    );
  }

  async push(file: string, cluster: ClusterRecord): Promise<void> {
    const deadline = this.#options.deadline?.();
    const target = await this.#options.target(cluster);
    const member = { file, cluster, target, deadline };
    const refused = this.#refusal(member);
    if (refused) throw refused;
    if (this.#alone.delete(cluster.name)) return this.#push([member]);
    // One run per platform, credentials, trust and package: members of a key share all of them.
    const key = JSON.stringify([file, target.address, target.token, target.certificateAuthority ?? '']);
    return this.#groups.join(key, member);
  }

  /** How long a run of this member may last: to its invocation's end less the margin. */
  #roomMs(member: Member): number {
    return member.deadline === undefined ? Infinity : member.deadline - Date.now() - this.#marginMs;
  }

  /** Why a run of this member must not start now, if so: its invocation would end during it. */
  #refusal(member: Member): TransientError | undefined {
    const room = this.#roomMs(member);
    if (room >= this.#minRunMs) return undefined;
    return new TransientError(
      `violet push to cluster ${member.cluster.name} not started: ${Math.max(0, Math.floor(room))} ms of this ` +
        `invocation remain after the ${this.#marginMs} ms kept to record the outcome, less than the ` +
        `${this.#minRunMs} ms a run needs; the next delivery pushes it`,
    );
  }

  /** One violet run for members that share file, platform, token and CA. */
  async #push(members: Member[]): Promise<void> {
    const { file, target } = members[0] as Member;
    const args = [
      'push',
      file,
      '--platform-address',
      target.address,
      '--platform-token',
      target.token,
      '--clusters',
      members.map((member) => member.target.cluster).join(','),
    ];
    const env = target.certificateAuthority
      ? { ...process.env, SSL_CERT_FILE: await this.#caFile(target.certificateAuthority) }
      : process.env;
    // The earliest end among its members' invocations: the run must not outlive any of them.
    const room = Math.min(...members.map((member) => this.#roomMs(member)));
    const exit = await this.#run(args, env, Math.floor(Math.min(this.#options.timeoutMs, room)));
    if (exit.code === 0) return;
    const failure = this.#failure(exit, members, target.token);
    // A failure that may pass (the platform is down, say) is tried again by the same group.
    if (members.length === 1 || failure instanceof TransientError) throw failure;
    for (const member of members) this.#alone.add(member.cluster.name);
    throw new TransientError(
      `${failure.message}; a push shared by ${members.length} clusters does not say which it reached: ` +
        'the ArtifactVersion is checked on the cluster, and a cluster it did not reach is pushed again on its own',
      { details: failure.details },
    );
  }

  #run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Exit> {
    const { violet, guard } = this.#options;
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
        resolve({
          code: null,
          signal: null,
          stderr,
          timedOut,
          timeoutMs,
          spawnError: error.code ?? error.message,
        });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stderr, timedOut, timeoutMs });
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
  #failure(exit: Exit, members: Member[], token: string): UpgraderError {
    const names = members.map((member) => member.cluster.name).join(', ');
    const failed = `violet push to cluster${members.length === 1 ? '' : 's'} ${names} failed`;
    const details = { exitCode: exit.code, signal: exit.signal };
    if (exit.timedOut) {
      return new TransientError(
        `${failed}: no answer within ${exit.timeoutMs} ms (violet was stopped); whether it landed is checked on the cluster before pushing again`,
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
