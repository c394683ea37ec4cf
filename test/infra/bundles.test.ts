/**
 * What the Lambda bundles carry, built with the stack's own esbuild settings (no timing here:
 * cold import is measured by bench/bundles.ts): each function loads only the AWS SDK clients its
 * adapters use, lib-storage and violet only in upload, none of client-node's code and no undici
 * (the REST calls go through node:https), one YAML parser, luxon only where windows are
 * computed, node:http(s) and node:crypto without their ESM import's lazy getters, source maps
 * without the sources, and sizes pinned so a regression shows.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUILTIN_ALIASES,
  BUNDLE_SETTINGS,
  ESBUILD_OPTIONS,
  PROJECT_ROOT,
} from '../../infra/constructs/upgrader-function.ts';

const FUNCTIONS = ['api', 'notify', 'verify', 'upload-package'] as const;
type Built = { bytes: number; inputs: string[]; sdk: string[]; builtins: string[] };

async function bundle(name: string): Promise<Built> {
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, 'functions', name, 'handler.ts')],
    ...ESBUILD_OPTIONS,
    outfile: join(PROJECT_ROOT, 'bench/results/bundles-test', name, 'index.mjs'),
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  // The bundle, not its source map.
  const output = Object.values(result.metafile.outputs).find(
    (o) => o.entryPoint,
  ) as Metafile['outputs'][string];
  return {
    bytes: output.bytes,
    inputs: Object.keys(output.inputs),
    sdk: output.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path),
    builtins: output.imports.filter((i) => i.path.startsWith('node:')).map((i) => i.path),
  };
}

describe('Lambda bundles', () => {
  const built = new Map<string, Built>();
  beforeAll(async () => {
    for (const name of FUNCTIONS) built.set(name, await bundle(name));
  }, 120_000);
  const of = (name: (typeof FUNCTIONS)[number]) => built.get(name) as Built;
  const carries = (name: (typeof FUNCTIONS)[number], dependency: string) =>
    of(name).inputs.some((input) => input.includes(`node_modules/${dependency}/`));

  it('loads only the AWS SDK clients each function uses', () => {
    expect(new Set(of('notify').sdk)).toEqual(
      new Set(['@aws-sdk/client-sqs', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']),
    );
    // The API reaches clusters for a rollout's rehearsal and reads the catalog: verify's clients and S3.
    expect(new Set(of('api').sdk)).toEqual(new Set([...of('verify').sdk, '@aws-sdk/client-s3']));
    expect(of('verify').sdk).toContain('@aws-sdk/client-secrets-manager');
    // verify never reads the catalog, and the S3 client is 35-40 ms of a cold import.
    expect(of('verify').sdk).not.toContain('@aws-sdk/client-s3');
    expect(of('verify').sdk).not.toContain('@aws-sdk/lib-storage');
    expect(of('upload-package').sdk).toContain('@aws-sdk/lib-storage');
  });

  it('carries neither client-node nor undici, and one YAML parser', () => {
    for (const name of FUNCTIONS) {
      expect(carries(name, '@kubernetes/client-node'), name).toBe(false);
      expect(carries(name, 'undici'), name).toBe(false);
      expect(carries(name, 'yaml'), name).toBe(false);
    }
    expect(carries('verify', 'js-yaml')).toBe(true);
  });

  it("leaves luxon, the rollouts' date library, to the functions that compute windows", () => {
    expect(carries('verify', 'luxon')).toBe(false);
    expect(carries('notify', 'luxon')).toBe(false);
    expect(carries('api', 'luxon')).toBe(true);
  });

  it('imports node:http, node:https and node:crypto through getBuiltinModule, never as ES modules', () => {
    for (const name of FUNCTIONS) {
      expect(of(name).builtins, name).toContain('node:zlib');
      for (const builtin of Object.keys(BUILTIN_ALIASES))
        expect(of(name).builtins, name).not.toContain(builtin);
    }
    // The stand-in is the builtin itself.
    const load = createRequire(import.meta.url);
    for (const [builtin, file] of Object.entries(BUILTIN_ALIASES))
      expect(load(file), builtin).toBe(load(builtin));
  });

  it('serves the default and named imports of an aliased builtin, as the adapters use them', async () => {
    // Prepare: code importing the three builtins both ways, bundled like a function.
    const source = `
      import http, { request } from 'node:http';
      import { Agent } from 'node:https';
      import { createHash } from 'node:crypto';
      export async function probe() {
        const server = http.createServer((_req, res) => res.end('pong'));
        await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
        const reply = await new Promise((done) => {
          request({ port: server.address().port, host: '127.0.0.1' }, (res) => {
            let body = '';
            res.on('data', (chunk) => { body += chunk; }).on('end', () => done(body));
          }).end();
        });
        server.close();
        return { reply, agent: new Agent().protocol, sha: createHash('sha256').update('x').digest('hex').slice(0, 8) };
      }`;
    const dir = await mkdtemp(join(tmpdir(), 'bundle-'));
    const outfile = join(dir, 'probe.mjs');
    await build({
      stdin: { contents: source, resolveDir: PROJECT_ROOT },
      outfile,
      ...ESBUILD_OPTIONS,
      logLevel: 'error',
    });
    // Act
    const { probe } = await import(pathToFileURL(outfile).href);
    // Assess
    expect(await readFile(outfile, 'utf8')).not.toMatch(/from\s*"node:(http|https|crypto)"/);
    expect(await probe()).toEqual({ reply: 'pong', agent: 'https:', sha: '2d711642' });
    await rm(dir, { recursive: true });
  });

  it('ships source maps without the sources inside', () => {
    expect(BUNDLE_SETTINGS).toMatchObject({ sourceMap: true, sourcesContent: false });
  });

  it('stays within the sizes measured when these were set (bytes, minified)', () => {
    // Issue 12's target: every bundle under 1 MB (measured 0.46-0.60 MB when set).
    for (const name of FUNCTIONS) expect(of(name).bytes, name).toBeLessThan(700_000);
  });
});
