/**
 * `npx node bench/bundles.ts`: what each Lambda bundle weighs and how long its cold import takes.
 * Builds every functions/<name>/handler.ts with the stack's own esbuild settings, then imports
 * each bundle in a fresh Node process (as a Lambda cold start does, minus the runtime's own
 * start), with the environment the stack would set, three times, reporting the median beside the
 * same-run baseline of an empty module (process start and the probe; the load moves both).
 * Writes bench/results/bundles.json. `@kubernetes/client-node` must stay out of every bundle.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { AWS_ENV, queueUrlVariable } from '#adapters/aws/aws-env.ts';
import { QUEUE_NAMES } from '#usecases/consumer-row.ts';
import { ESBUILD_OPTIONS, FUNCTION_NAMES, PROJECT_ROOT } from '../infra/constructs/upgrader-function.ts';

const OUT = join(PROJECT_ROOT, 'bench/results/bundles');
const RUNS = Number(process.env.BENCH_BUNDLE_RUNS ?? 3);

/** Values shaped like the stack's, so module-level config parsing succeeds; nothing is called. */
const ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_DEV: 'true',
  [AWS_ENV.tableName]: 'bench-table',
  [AWS_ENV.bucketName]: 'bench-bucket',
  [AWS_ENV.catalogKey]: 'catalog/catalog.json',
  ...Object.fromEntries(
    QUEUE_NAMES.map((queue) => [
      queueUrlVariable(queue),
      `https://sqs.eu-west-1.amazonaws.com/111111111111/${queue}`,
    ]),
  ),
};

const IMPORT_PROBE = `const t=performance.now();await import(process.argv[1]);console.log(JSON.stringify({ms:performance.now()-t}));`;

async function coldImportMs(file: string): Promise<number> {
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '-e', IMPORT_PROBE, file],
      { env: { ...process.env, ...ENV } },
    );
    runs.push(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}').ms);
  }
  return runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)] ?? Number.NaN;
}

// The same-run baseline: a fresh Node importing an empty module (process start and the probe).
const emptyModule = join(OUT, 'empty.mjs');
await mkdir(OUT, { recursive: true });
await writeFile(emptyModule, 'export {};\n');
const baselineMs = Math.round(await coldImportMs(emptyModule));

const results = [];
for (const name of FUNCTION_NAMES) {
  const outfile = join(OUT, name, 'index.mjs');
  await mkdir(join(OUT, name), { recursive: true });
  const started = performance.now();
  const built = await build({
    entryPoints: [join(PROJECT_ROOT, 'functions', name, 'handler.ts')],
    outfile,
    ...ESBUILD_OPTIONS,
    metafile: true,
    logLevel: 'error',
  });
  const buildMs = performance.now() - started;
  const bytes = (await stat(outfile)).size;
  const inputs = Object.keys(built.metafile.inputs);
  results.push({
    function: name,
    bytes,
    gzipBytes: gzipSync(await readFile(outfile)).length,
    buildMs: Math.round(buildMs),
    coldImportMs: Math.round(await coldImportMs(outfile)),
    baselineMs,
    bundlesKubernetesClient: inputs.some((input) => input.includes('@kubernetes/client-node')),
  });
}

await writeFile(join(PROJECT_ROOT, 'bench/results/bundles.json'), `${JSON.stringify(results, null, 2)}\n`);
console.table(results);
