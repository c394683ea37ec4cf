/**
 * violet under its guard: a push does not outlive the process that started it. The process is
 * SIGKILLed mid-push (no handler of its own runs), and the violet it started must end too, so a
 * later takeover of the push claim can never race an orphaned push.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { VIOLET_GUARD, VioletUploader } from '#adapters/kube/violet-uploader.ts';

const PUSHER = resolve(import.meta.dirname, 'support/guarded-push.ts');
let dir: string | undefined;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function endlessViolet(): Promise<{ violet: string; pidFile: string }> {
  dir = await mkdtemp(join(tmpdir(), 'violet-guard-'));
  const violet = join(dir, 'violet');
  const pidFile = join(dir, 'violet.pid');
  await writeFile(violet, '#!/bin/sh\necho $$ > "$PID_FILE"\nexec sleep 600\n');
  await chmod(violet, 0o755);
  return { violet, pidFile };
}

describe('violet under its guard', () => {
  it('ends the push when the process that started it is SIGKILLed', async () => {
    // Prepare: a process pushing with a violet that never finishes
    const { violet, pidFile } = await endlessViolet();
    const pusher = spawn(process.execPath, [PUSHER, violet, pidFile], { stdio: 'ignore' });
    let violetPid = 0;
    for (let i = 0; i < 100 && !violetPid; i++) {
      await sleep(50);
      violetPid = Number(await readFile(pidFile, 'utf8').catch(() => '0'));
    }
    expect(alive(violetPid)).toBe(true);

    // Act
    pusher.kill('SIGKILL');

    // Assess
    await expect.poll(() => alive(violetPid), { timeout: 10_000 }).toBe(false);
  });

  it('reports a violet that cannot be started as before, and stops a slow one at the timeout', async () => {
    // Prepare
    const { violet } = await endlessViolet();
    const uploader = (path: string, timeoutMs: number) =>
      new VioletUploader({
        violet: path,
        timeoutMs,
        guard: VIOLET_GUARD,
        target: async (cluster) => ({
          address: 'https://acp.invalid',
          token: 't0ken',
          cluster: cluster.name,
        }),
      });
    const cluster = { name: 'west', labels: {} };

    // Act
    const missing = await uploader(join(dir ?? '', 'no-violet'), 10_000)
      .push('/x.tgz', cluster)
      .catch((e) => e);
    const slow = await uploader(violet, 300)
      .push('/x.tgz', cluster)
      .catch((e) => e);

    // Assess
    expect((missing as Error).message).toBe(
      `violet push to cluster west failed: cannot run ${join(dir ?? '', 'no-violet')}: ENOENT`,
    );
    expect((slow as Error).message).toMatch(/no answer within 300 ms \(violet was stopped\)/);
  });
});
