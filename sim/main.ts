/**
 * `npx node sim/main.ts --clusters 12 --scenario examples/scenarios/demo.yaml`: the simulator on
 * its own, through the CLI program, so flags, errors and exit codes are exactly `redis-upgrader
 * sim`'s. Nothing imports this file (the CLI reaches the simulator through sim/run-sim.ts).
 */
import { enableCompileCache } from 'node:module';

// As in cli/main.ts: later starts reuse the stripped TypeScript.
enableCompileCache();
const { runCli } = await import('#cli/program.ts');

process.exitCode = await runCli([...process.argv.slice(0, 2), 'sim', ...process.argv.slice(2)]);
