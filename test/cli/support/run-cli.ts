/** The real `redis-upgrader` binary in a child process, on the project's Node 24, without the caller's REDIS_UPGRADER_* settings. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = join(ROOT, 'cli', 'main.ts');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `timeoutMs`: how long the command may run (default 15 s); commands that follow a rollout need longer. */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  { timeoutMs = 15_000 }: { timeoutMs?: number } = {},
): Promise<Run> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('REDIS_UPGRADER_')),
  );
  return new Promise((resolve) => {
    execFile(
      NODE,
      [MAIN, ...args],
      { env: { ...clean, ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Exit `code` with exactly one line on stderr matching `pattern`, and no stack trace anywhere. */
export function expectOneLine(run: Run, code: number, pattern: RegExp, what = ''): void {
  expect(run.code, `${what}: ${run.stderr}`).toBe(code);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, what).toHaveLength(1);
  expect(lines[0], what).toMatch(pattern);
  expect(run.stderr + run.stdout).not.toMatch(/TypeError|undefined|\n\s+at /);
}
