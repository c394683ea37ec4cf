/**
 * Runs one command (violet) as its own child and ends it when the process that started this guard
 * is gone, however that process went, a SIGKILL included: the IPC channel to the parent closes
 * then, and this guard sees it. Without it a `violet push` whose worker died would run on as an
 * orphan and could land after another worker took the claim over and pushed again.
 *
 *   node violet-guard.ts <command> [args...]   (started with an IPC channel; see violet-uploader.ts)
 *
 * The command's stdout and stderr are the guard's; its exit code is the guard's. A command that
 * cannot be started exits 127 with `cannot run <command>: <code>` on stderr.
 */
import { spawn } from 'node:child_process';

const STOP_GRACE_MS = 5000;
const [command, ...args] = process.argv.slice(2);
if (!command || !process.send) {
  console.error('violet-guard: start me with a command and an IPC channel (violet-uploader.ts does)');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
child.on('error', (error: NodeJS.ErrnoException) => {
  console.error(`cannot run ${command}: ${error.code ?? error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
