/**
 * The layering rules are Biome lint rules (biome.json), so `npm run lint` enforces them on the
 * tree: no import cycle anywhere (type-only imports included), shared/domain imports nothing but
 * the domain and pure libraries, and what runs in production (cli, shared, functions, sim) imports
 * no devDependency, so a production install has all it needs. Here the project's own configuration lints a small tree that
 * breaks each rule once, so a rule switched off, or a folder pattern that no longer matches, fails
 * a test instead of passing silently.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '#test/adapters/local/support/temp-dir.ts';
import packageJson from '../../package.json' with { type: 'json' };

const ROOT = resolve(import.meta.dirname, '../..');
const BIOME = join(ROOT, 'node_modules/.bin/biome');

/** What the lint said, as `<rule> <file>:<line>`, from Biome's GitHub reporter. */
async function lint(dir: string): Promise<string[]> {
  const run = await promisify(execFile)(BIOME, ['lint', '--reporter=github', '.'], { cwd: dir }).catch(
    (error: { stdout: string }) => error,
  );
  return [...run.stdout.matchAll(/^::error title=lint\/(\S+?),file=(.+?),line=(\d+)/gm)].map(
    ([, rule, file, line]) => `${rule} ${(file as string).slice(dir.length + 1)}:${line}`,
  );
}

async function tree(dir: string, files: Record<string, string>): Promise<void> {
  await promisify(execFile)('git', ['init', '-q'], { cwd: dir });
  await copyFile(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
  const { imports, dependencies, devDependencies } = packageJson;
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ type: 'module', imports, dependencies, devDependencies }),
  );
  await writeFile(join(dir, '.gitignore'), '');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

describe('layering rules', () => {
  const tempDir = useTempDirs();

  it('refuse an import cycle, through import aliases and a dynamic import too', async () => {
    // Prepare: the shape of the cycle the sim command once had
    const dir = await tempDir();
    await tree(dir, {
      'cli/program.ts': "import { sim } from '#cli/commands/sim.ts';\n\nexport const program = [sim];\n",
      'cli/commands/sim.ts': "import { start } from '#sim/main.ts';\n\nexport const sim = start;\n",
      'sim/main.ts':
        "export const start = (): Promise<unknown> => import('#cli/program.ts');\n\nexport const run = start;\n",
      'sim/fleet.ts': "import { run } from './main.ts';\n\nexport const fleet = run;\n",
    });

    // Act
    const findings = await lint(dir);

    // Assess
    expect(findings.sort()).toEqual([
      'suspicious/noImportCycles cli/commands/sim.ts:1',
      'suspicious/noImportCycles cli/program.ts:1',
      'suspicious/noImportCycles sim/main.ts:1',
    ]);
  });

  it('refuse a type-only import cycle', async () => {
    // Prepare
    const dir = await tempDir();
    await tree(dir, {
      'shared/ports.ts':
        "import type { View } from '#domain/view.ts';\n\nexport type Port = { read(): View };\n",
      'shared/domain/view.ts':
        "import type { Port } from '../ports.ts';\n\nexport type View = { port: Port };\n",
    });

    // Act
    const findings = await lint(dir);

    // Assess: the domain side also breaks the domain rule
    expect(findings.sort()).toEqual([
      'style/noRestrictedImports shared/domain/view.ts:1',
      'suspicious/noImportCycles shared/domain/view.ts:1',
      'suspicious/noImportCycles shared/ports.ts:1',
    ]);
  });

  it('let shared/domain import only the domain and pure libraries', async () => {
    // Prepare: three allowed imports, eight refused ones, and a read of the environment
    const imports: [string, string][] = [
      ['isTerminal', '#domain/job-transitions.ts'],
      ['semver', 'semver'],
      ['z', 'zod'],
      ['systemClock', '#shared/ports.ts'],
      ['KubeClusterGateway', '#adapters/kube/kube-cluster-gateway.ts'],
      ['startHttpServer', '#runtime/http-server.ts'],
      ['claim', '#usecases/claim.ts'],
      ['S3Client', '@aws-sdk/client-s3'],
      ['KubeConfig', '@kubernetes/client-node'],
      ['readFile', 'node:fs/promises'],
      ['parse', 'yaml'],
    ];
    const names = imports.map(([name]) => name);
    const body = `${imports.map(([name, from]) => `import { ${name} } from '${from}';`).join('\n')}\n\nexport const used = [${names.join(', ')}, process.env.HOME];\n`;
    const dir = await tempDir();
    await tree(dir, { 'shared/domain/gate.ts': body, 'shared/usecases/step.ts': body });

    // Act
    const findings = await lint(dir);

    // Assess: the same imports are fine in a use case
    const refused = imports
      .slice(3)
      .map((_, index) => `style/noRestrictedImports shared/domain/gate.ts:${index + 4}`);
    const envRead = `style/noRestrictedGlobals shared/domain/gate.ts:${imports.length + 2}`;
    expect(findings.filter((finding) => finding.startsWith('style/')).sort()).toEqual(
      [...refused, envRead].sort(),
    );
  });

  it('let only infra/ and tests import devDependencies such as aws-cdk-lib', async () => {
    // Prepare
    const body =
      "import { Stack } from 'aws-cdk-lib';\nimport { z } from 'zod';\n\nexport const used = [Stack, z];\n";
    const dir = await tempDir();
    await tree(dir, {
      'cli/x.ts': body,
      'shared/x.ts': body,
      'functions/x/handler.ts': body,
      'sim/x.ts': body,
      'infra/x.ts': body,
      'test/x.test.ts': body,
    });

    // Act
    const findings = await lint(dir);

    // Assess
    expect(findings.sort()).toEqual([
      'correctness/noUndeclaredDependencies cli/x.ts:1',
      'correctness/noUndeclaredDependencies functions/x/handler.ts:1',
      'correctness/noUndeclaredDependencies shared/x.ts:1',
      'correctness/noUndeclaredDependencies sim/x.ts:1',
    ]);
  });
});
