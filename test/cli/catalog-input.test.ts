/**
 * What `plan` and `serve` do with a --catalog that is not a readable catalog-sized regular file:
 * the real binary, one line on stderr, exit 2, and never a wait (a FIFO nobody writes to used to
 * block the command forever).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = join(ROOT, 'cli', 'main.ts');
const dir = mkdtempSync(join(tmpdir(), 'cli-catalog-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Killed after 10 s, so a command that blocks fails the test instead of hanging it. */
function cli(args: string[]): Promise<Run> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('REDIS_UPGRADER_')),
  );
  return new Promise((resolve) => {
    execFile(NODE, [MAIN, ...args], { env, timeout: 10_000 }, (error, stdout, stderr) => {
      resolve({
        code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
        stdout,
        stderr,
      });
    });
  });
}

function fifo(name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}

function oversized(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  truncateSync(path, 8 * 1024 * 1024 + 1);
  return path;
}

const plan = (catalog: string) => cli(['plan', '--from', '4.0.2', '--to', '4.2.1', '--catalog', catalog]);
const serve = (catalog: string) =>
  cli(['serve', '--port', '0', '--data-dir', join(dir, 'data'), '--catalog', catalog]);

describe.concurrent('--catalog that is not a regular file of catalog size', () => {
  it.each([
    [
      'plan',
      'a FIFO with no writer',
      () => plan(fifo('plan.fifo')),
      'it is a named pipe (FIFO), not a regular file',
    ],
    ['plan', 'a directory', () => plan(dir), 'it is a directory, not a regular file'],
    ['plan', 'a device', () => plan('/dev/zero'), 'it is a character device, not a regular file'],
    [
      'plan',
      'a file over 8 MiB',
      () => plan(oversized('plan.json')),
      'over the 8 MiB limit for a catalog file',
    ],
    ['serve', 'a FIFO with no writer', () => serve(fifo('serve.fifo')), 'it is a named pipe (FIFO)'],
    ['serve', 'a file over 8 MiB', () => serve(oversized('serve.json')), 'over the 8 MiB limit'],
  ])('%s refuses %s with one line and exit 2', async (_command, _what, run, says) => {
    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: cannot read catalog \//);
    expect(lines[0]).toContain(says);
  });
});
