/**
 * The processes a chaos run started (the simulator, serve), so the runner can end them when it
 * is itself stopped (Ctrl-C, a CI timeout): they are separate processes that would otherwise
 * outlive it and keep loading the machine.
 */
import type { ChildProcess } from 'node:child_process';

const started = new Set<ChildProcess>();

export function tracked(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** On SIGINT or SIGTERM, SIGKILL every tracked child, then exit as the signal would. */
export function endChildrenOnSignal(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of started) child.kill('SIGKILL');
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}
