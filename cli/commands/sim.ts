/**
 * `redis-upgrader sim`: the simulated ACP fleet alone, until Ctrl-C. Prints the platform URLs
 * and tokens, where the kubeconfig went, the package download base URL and the control API.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { printLines } from '#cli/output.ts';
import { listenForStop } from '#cli/stop-signal.ts';
import type { SimRunOptions } from '#sim/run-sim.ts';

const DEFAULT_KUBECONFIG_OUT = '.data/sim/kubeconfig';

function integerIn(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number above 0');
  return n;
}

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description(
      'run a simulated ACP fleet (Kubernetes API, OLM, Redis operator, violet upload) until Ctrl-C',
    )
    .option(
      '--clusters <n>',
      "number of simulated clusters; the scenario's when absent, else 3",
      integerIn(1, 5000),
    )
    .option('--scenario <file>', 'scenario file (YAML or JSON), e.g. examples/scenarios/demo.yaml')
    .option('--seed <n>', 'seed for the scenario draws and fault injection', integerIn(0, 2 ** 31 - 1))
    .option('--speed <x>', 'simulated time per real time (60: a simulated minute per second)', positiveNumber)
    .option(
      '--port <p>',
      'port of the first platform, the next platforms take the next ports; a free one when absent',
      integerIn(1, 65535),
    )
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option(
      '--control-port <p>',
      'port of the control API (outages, side-effect ledger); a free one when absent, see sim-control.json',
      integerIn(1, 65535),
    )
    .option(
      '--kubeconfig-out <path>',
      'where to write the kubeconfig (the CA goes next to it, sim-ca.crt)',
      DEFAULT_KUBECONFIG_OUT,
    )
    .option('--insecure-http', 'serve plain HTTP instead of HTTPS with a CA generated for the run')
    .option(
      '--state-dir <dir>',
      'keep the clusters (objects, ledger, CA, ports) in this directory; a restart on it restores them',
    )
    .option('--json', 'print the fleet as one JSON line instead of text')
    .action(async (options: SimRunOptions) => {
      const { runSim } = await import('#sim/run-sim.ts');
      const stop = listenForStop();
      try {
        await runSim(options, {
          out: printLines,
          err: (line) => process.stderr.write(`${line}\n`),
          stopSignal: stop.received,
        });
      } finally {
        stop.dispose();
      }
    });
}
