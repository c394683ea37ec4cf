/**
 * The `redis-upgrader` program. Each command lives in cli/commands/<name>.ts and exports a
 * `register<Name>Command(program)` that calls `program.command(...)` (so it inherits the error
 * handling configured here); adding a command is one import and one line below.
 * Every command module is loaded on every run, so keep them light: import heavy parts (the
 * simulator, the runtime, AWS clients) inside the action with `await import(...)`. Then `plan`
 * starts fast, and a command whose dependencies are broken cannot take the others down.
 */
import { Command, CommanderError } from 'commander';
import { registerCancelCommand } from '#cli/commands/cancel.ts';
import { registerClustersCommand } from '#cli/commands/clusters.ts';
import { registerDemoCommand } from '#cli/commands/demo.ts';
import { registerListCommand } from '#cli/commands/list.ts';
import { registerPlanCommand } from '#cli/commands/plan.ts';
import { registerReleaseCommand } from '#cli/commands/release.ts';
import { registerRolloutCommand } from '#cli/commands/rollout.ts';
import { registerServeCommand } from '#cli/commands/serve.ts';
import { registerSimCommand } from '#cli/commands/sim.ts';
import { registerStatusCommand } from '#cli/commands/status.ts';
import { registerUpgradeCommand } from '#cli/commands/upgrade.ts';
import { registerWebhooksCommand } from '#cli/commands/webhooks.ts';
import { EXIT_CODES, exitCodeFor } from '#cli/exit-codes.ts';
import { reportError } from '#cli/output.ts';
import packageJson from '../package.json' with { type: 'json' };

export function createProgram(): Command {
  const program = new Command('redis-upgrader')
    .description(packageJson.description)
    .version(packageJson.version)
    .showSuggestionAfterError()
    // Options belong to the command they follow: `rollout list --json` is list's --json, not rollout's.
    .enablePositionalOptions()
    // Errors are thrown, not exited on, and printed once by runCli in the one-line/JSON format.
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  // Help lists commands in this order: the demo first (what a newcomer runs), then the path,
  // the commands that talk to a running API, and the runtime and simulator themselves.
  registerDemoCommand(program);
  registerPlanCommand(program);
  registerUpgradeCommand(program);
  registerRolloutCommand(program);
  registerStatusCommand(program);
  registerListCommand(program);
  registerCancelCommand(program);
  registerClustersCommand(program);
  registerWebhooksCommand(program);
  registerReleaseCommand(program);
  registerServeCommand(program);
  registerSimCommand(program);

  return program;
}

/** `--json` as typed on the command line, for errors raised before any command ran. */
function jsonRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Runs the program; never throws; resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  let json = jsonRequested(argv);
  program.hook('preAction', (_program, command) => {
    json = command.opts().json === true;
  });
  try {
    await program.parseAsync(argv);
    return EXIT_CODES.ok;
  } catch (error) {
    // --help, --version and the help shown for a missing command arrive here already printed.
    if (error instanceof CommanderError && (error.exitCode === 0 || error.code === 'commander.help')) {
      return exitCodeFor(error);
    }
    reportError(error, json);
    return exitCodeFor(error);
  }
}
