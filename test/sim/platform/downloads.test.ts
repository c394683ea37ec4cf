import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrusting } from '#adapters/local/fetch-trusting.ts';
import { type PlatformServer, startPlatformServer } from '#sim/api/platform-server.ts';
import { readExampleCatalog } from '#sim/packages/example-packages.ts';
import { simServingTls } from '#sim/tls/sim-certificates.ts';
import { downloadsRoute } from '#sim/upload/downloads-route.ts';

describe('package downloads (the vendor site stand-in)', () => {
  let server: PlatformServer;
  let base: string;
  let fetch: typeof globalThis.fetch;

  beforeAll(async () => {
    const tls = await simServingTls();
    fetch = fetchTrusting(tls.caPem);
    server = await startPlatformServer({
      tls,
      token: 'platform-token',
      clusters: new Map(),
      extraRoutes: [downloadsRoute()],
    });
    base = `${server.url}/downloads`;
  });
  afterAll(() => server.close());

  it('serves every catalog artifact with the sha256 and size the catalog records, without a token', async () => {
    // Prepare
    const catalog = await readExampleCatalog();

    for (const { artifact } of catalog.versions) {
      const file = basename(new URL(artifact.url).pathname);

      // Act
      const response = await fetch(`${base}/${file}`);
      const body = Buffer.from(await response.arrayBuffer());

      // Assess
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/gzip');
      expect(Number(response.headers.get('content-length')), file).toBe(artifact.size);
      expect(body.length, file).toBe(artifact.size);
      expect(createHash('sha256').update(body).digest('hex'), file).toBe(artifact.sha256);
    }
  });

  it('answers HEAD with the length and no body', async () => {
    const response = await fetch(`${base}/redis-operator.stable.ALL.v4.0.3.tgz`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(8000);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it.each([
    ['an unknown file', 'redis-operator.stable.ALL.v9.9.9.tgz'],
    ['a path outside the packages directory', '..%2F..%2Fpackage.json'],
    ['a file that is not a package', '..%2Fcatalog.json'],
  ])('answers 404 for %s', async (_label, file) => {
    const response = await fetch(`${base}/${file}`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('no such package');
  });

  it('refuses writes', async () => {
    const response = await fetch(`${base}/redis-operator.stable.ALL.v4.0.3.tgz`, {
      method: 'PUT',
      body: 'x',
    });
    expect(response.status).toBe(405);
  });

  it('leaves every other path to the platform, which still wants its token', async () => {
    const response = await fetch(`${server.url}/auth/v1/clusters`);
    expect(response.status).toBe(401);
  });
});
