/**
 * `npm run bench`: every benchmark in bench/, one after another in its own Node process (so one
 * bench's heap and JIT state cannot colour the next), on the project's Node. Each bench prints
 * its figures as ratios against a baseline it measures in the same run and writes
 * bench/results/<name>.json. `npm run bench -- sim` runs only the named ones.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES: { name: string; file: string; nodeArgs: string[] }[] = [
  { name: 'sim', file: 'sim.ts', nodeArgs: ['--expose-gc'] },
  { name: 'pipeline', file: 'pipeline.ts', nodeArgs: [] },
  { name: 'fleet', file: 'fleet.ts', nodeArgs: [] },
  { name: 'bundles', file: 'bundles.ts', nodeArgs: [] },
  { name: 'planner', file: 'planner.ts', nodeArgs: [] },
  { name: 'rollout', file: 'rollout.ts', nodeArgs: [] },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !BENCHES.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`);
  process.exit(2);
}

let failed = 0;
for (const bench of BENCHES.filter((b) => wanted.length === 0 || wanted.includes(b.name))) {
  console.log(`\n=== bench: ${bench.name} ===`);
  const file = fileURLToPath(new URL(bench.file, import.meta.url));
  const result = spawnSync(process.execPath, [...bench.nodeArgs, file], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.error(`bench ${bench.name} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
