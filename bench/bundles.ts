/**
 * `npx node bench/bundles.ts`: what each Lambda bundle weighs and how long its cold import takes.
 * Builds every functions/<name>/handler.ts with the stack's own esbuild settings, then imports
 * each bundle in a fresh Node process (as a Lambda cold start does, minus the runtime's own
 * start), with the environment the stack would set, BENCH_BUNDLE_RUNS rounds (default 5) of one
 * import each, reporting the median beside the same-run baseline of an empty module.
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
import { median } from './median.ts';

const OUT = join(PROJECT_ROOT, 'bench/results/bundles');
const RUNS = Number(process.env.BENCH_BUNDLE_RUNS ?? 5);

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

async function importMs(file: string): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '-e', IMPORT_PROBE, file],
    { env: { ...process.env, ...ENV } },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}').ms;
}

// The same-run baseline: a fresh Node importing an empty module (the probe's own cost).
const emptyModule = join(OUT, 'empty.mjs');
await mkdir(OUT, { recursive: true });
await writeFile(emptyModule, 'export {};\n');

const built = [];
for (const name of FUNCTION_NAMES) {
  const outfile = join(OUT, name, 'index.mjs');
  await mkdir(join(OUT, name), { recursive: true });
  const started = performance.now();
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, 'functions', name, 'handler.ts')],
    outfile,
    ...ESBUILD_OPTIONS,
    metafile: true,
    logLevel: 'error',
  });
  const inputs = Object.keys(result.metafile.inputs);
  built.push({
    name,
    outfile,
    buildMs: Math.round(performance.now() - started),
    bundlesKubernetesClient: inputs.some((input) => input.includes('@kubernetes/client-node')),
  });
}

// Round by round, every bundle once per round: this machine's speed drifts within seconds, and
// interleaving spreads the drift over all of them alike instead of over whichever ran then.
const imports = new Map<string, number[]>(
  [emptyModule, ...built.map((b) => b.outfile)].map((file) => [file, []]),
);
for (let run = 0; run < RUNS; run++) {
  for (const [file, times] of imports) times.push(await importMs(file));
}
const baselineMs = Math.round(median(imports.get(emptyModule) ?? []));

const results = [];
for (const { name, outfile, buildMs, bundlesKubernetesClient } of built) {
  results.push({
    function: name,
    bytes: (await stat(outfile)).size,
    gzipBytes: gzipSync(await readFile(outfile)).length,
    buildMs,
    coldImportMs: Math.round(median(imports.get(outfile) ?? [])),
    baselineMs,
    bundlesKubernetesClient,
  });
}

await writeFile(join(PROJECT_ROOT, 'bench/results/bundles.json'), `${JSON.stringify(results, null, 2)}\n`);
console.table(results);
