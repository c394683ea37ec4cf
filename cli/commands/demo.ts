/**
 * `redis-upgrader demo` (= `npm start`): rolls a version out across a simulated fleet end to end
 * through the local runtime and prints a summary per wave and per cluster. Exit 0 when every cluster ended as its scenario
 * predicts (healthy ones succeeded, bad ones blocked with a reason), 1 otherwise.
 */
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { printJson, printLines } from '#cli/output.ts';
import { listenForStop } from '#cli/stop-signal.ts';

interface DemoFlags {
  scenario: string;
  to: string;
  speed?: number;
  seed?: number;
  takeBackup?: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  timeout: number;
  json?: boolean;
}

export const DEMO_TARGET = '4.1.2';
const DEMO_SCENARIO = fileURLToPath(new URL('../../examples/scenarios/rollout-demo.yaml', import.meta.url));
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0');
  return n;
}

function seed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number from 0');
  return n;
}

function logLevel(value: string): (typeof LOG_LEVELS)[number] {
  const level = value.toUpperCase();
  const known = LOG_LEVELS.find((name) => name === level);
  if (!known) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(', ')}`);
  return known;
}

async function demo(flags: DemoFlags): Promise<void> {
  const { runDemo } = await import('#cli/demo-run.ts');
  const { renderSummary, renderWaves, verdict } = await import('#cli/demo-summary.ts');
  const stop = listenForStop();
  try {
    const say = flags.json ? () => undefined : printLines;
    say(
      `redis-upgrader demo: a rollout of every simulated cluster to ${flags.to} (Ctrl-C stops and cleans up)`,
    );
    const result = await runDemo({
      scenario: flags.scenario,
      targetVersion: flags.to,
      ...(flags.speed === undefined ? {} : { speed: flags.speed }),
      ...(flags.seed === undefined ? {} : { seed: flags.seed }),
      takeBackup: flags.takeBackup === true,
      logLevel: flags.logLevel,
      timeoutSeconds: flags.timeout,
      ...(flags.json ? {} : { progress: process.stdout }),
      say,
      stopRequested: stop.received,
    });
    if (flags.json) printJson(result);
    else
      printLines(
        `\nrollout ${result.batch.id}: ${result.batch.state}: ${result.batch.reason}\n\n${renderWaves(result.waves)}\n\n${renderSummary(result.rows)}\n\n${verdict(result.rows, result.elapsedMs)}`,
      );
    if (!result.ok) process.exitCode = 1;
  } finally {
    stop.dispose();
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'roll a version out across a simulated fleet end to end (simulator + local runtime): canary, waves, bake, failure budget, a live board and a summary; what `npm start` runs',
    )
    .addOption(
      new Option('--scenario <file>', 'scenario file').default(
        DEMO_SCENARIO,
        'examples/scenarios/rollout-demo.yaml',
      ),
    )
    .option('--to <version>', 'target version of the rollout', DEMO_TARGET)
    .option('--speed <x>', "simulated time per real time; the scenario's when absent", positive)
    .option('--seed <n>', 'seed for the scenario draws', seed)
    .option('--take-backup', 'back up stale instances first instead of blocking on them')
    .option(
      '--log-level <level>',
      "the runtime's JSON logs on stdout: DEBUG, INFO, WARN, ERROR or SILENT",
      logLevel,
      'SILENT',
    )
    .option('--timeout <seconds>', 'give up after this long', positive, 120)
    .option('--json', 'no live progress; print the summary as JSON')
    .action(demo);
}
