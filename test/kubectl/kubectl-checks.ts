/**
 * Running upstream kubectl for `npm run sim:kubectl`: each command checked against what a real
 * cluster answers, PASS or FAIL printed as it goes, and every result kept for the summary.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

export const run = promisify(execFile);

interface Result {
  code: number;
  out: string;
}

interface Check {
  what: string;
  args: string[];
  /** What a real cluster answers; returns a complaint, or undefined when the answer is right. */
  expect: (result: Result) => string | undefined;
}

export const results: { command: string; ok: boolean; why?: string }[] = [];
let env: NodeJS.ProcessEnv = process.env;

/** The environment every kubectl runs with (KUBECONFIG, a private discovery cache). */
export function useEnvironment(next: NodeJS.ProcessEnv): void {
  env = next;
}

export async function kubectl(args: string[], input?: string): Promise<Result> {
  return new Promise((done) => {
    const child = execFile('kubectl', args, { env, timeout: 90_000 }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export const has =
  (...parts: string[]) =>
  ({ code, out }: Result) => {
    if (code !== 0) return `exit ${code}: ${out.trim().split('\n').at(-1)}`;
    const missing = parts.filter((p) => !out.includes(p));
    return missing.length > 0
      ? `output lacks ${missing.map((m) => JSON.stringify(m)).join(', ')}:\n${out}`
      : undefined;
  };
export const equals = (text: string) => (r: Result) =>
  r.code !== 0
    ? `exit ${r.code}: ${r.out.trim()}`
    : r.out.trim() === text
      ? undefined
      : `got ${JSON.stringify(r.out.trim())}`;
export const fails =
  (code: number, text: string) =>
  ({ code: got, out }: Result) =>
    got === code && out.includes(text)
      ? undefined
      : `expected exit ${code} saying ${JSON.stringify(text)}, got exit ${got}: ${out.trim()}`;

export async function check({ what, args, expect }: Check, input?: string): Promise<Result> {
  const result = await kubectl(args, input);
  const why = expect(result);
  results.push({ command: `kubectl ${args.join(' ')}`, ok: why === undefined, ...(why ? { why } : {}) });
  console.log(
    `${why === undefined ? 'PASS' : 'FAIL'}  ${what}: kubectl ${args.join(' ')}${why ? `\n      ${why}` : ''}`,
  );
  return result;
}

/** Records a step that is not a kubectl command (the violet upload, a watch read afterwards). */
export function record(what: string, command: string, why: string | undefined): void {
  results.push({ command, ok: why === undefined, ...(why ? { why } : {}) });
  console.log(`${why === undefined ? 'PASS' : 'FAIL'}  ${what}: ${command}${why ? `\n      ${why}` : ''}`);
}

export function startWatch(args: string[]): { stop(): Promise<string> } {
  let out = '';
  const child: ChildProcess = spawn('kubectl', args, { env });
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return {
    async stop() {
      // The last events may still be on their way.
      await new Promise((wake) => setTimeout(wake, 500));
      child.kill('SIGTERM');
      return out;
    },
  };
}

export async function kubectlOnPath(): Promise<boolean> {
  return run('kubectl', ['version', '--client']).then(
    () => true,
    () => false,
  );
}
