/**
 * `redis-upgrader serve` refusing what it cannot start on: one line, exit 2, before it listens.
 * No simulated fleet (serve.test.ts has those), so these run in a second.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { useTempDirs } from '#test/adapters/local/support/temp-dir.ts';
import { expectOneLine, runCli } from './support/run-cli.ts';

const tempDir = useTempDirs();

describe('redis-upgrader serve refuses', () => {
  it.each([
    ['a token to write there', {}],
    ['the token given', { REDIS_UPGRADER_API_TOKEN: 'test-token-0123456789abcdef' }],
  ])('a data dir it cannot create (%s), naming it and how to choose another', async (_, env) => {
    // Act: a regular file stands where the directory should be
    const run = await runCli(['serve', '--port', '0', '--data-dir', '/etc/passwd'], env);

    // Assess
    expectOneLine(
      run,
      2,
      /^error: cannot use data dir \/etc\/passwd: EEXIST.*: choose another with --data-dir or \$REDIS_UPGRADER_DATA_DIR$/,
    );
  });

  it('a clusters file whose platformVersion is not a version, naming the entry', async () => {
    // Prepare
    const dir = await tempDir();
    const clusters = join(dir, 'clusters.yaml');
    await writeFile(clusters, 'clusters:\n  - name: edge-7\n    platformVersion: banana\n');

    // Act
    const run = await runCli([
      'serve',
      '--port',
      '0',
      '--data-dir',
      join(dir, 'data'),
      '--clusters',
      clusters,
    ]);

    // Assess
    expectOneLine(
      run,
      2,
      /^error: clusters file .*: clusters\.0\.platformVersion: "banana" is not a semantic version/,
    );
  });
});
