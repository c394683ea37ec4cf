/**
 * Ctrl-C / SIGTERM for long-running commands: the first signal asks for a clean stop (the
 * command finishes in-flight work and cleans up); a second one means "now" and exits at once.
 */
export interface StopSignal {
  /** Resolves with the signal name at the first SIGINT or SIGTERM. */
  readonly received: Promise<NodeJS.Signals>;
  /** Removes the handlers (call when the command is done). */
  dispose(): void;
}

export function listenForStop(onForced: () => void = () => process.exit(130)): StopSignal {
  let first: ((signal: NodeJS.Signals) => void) | undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    first = resolve;
  });
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) first?.(signal);
    else onForced();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    received,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
