import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchTrusting } from '#adapters/local/fetch-trusting.ts';
import { artifactUrl, HttpArtifactDownloader } from '#adapters/local/http-artifact-downloader.ts';
import { NotFoundError, TransientError, UpgraderError } from '#domain/errors.ts';
import { type SimServingTls, simServingTls } from '#sim/tls/sim-certificates.ts';

type Reply = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A loopback server answering with the given replies in turn (the last one repeats). */
async function serve(replies: Reply[]): Promise<{ base: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    const reply = replies[Math.min(paths.length, replies.length) - 1] as Reply;
    reply(req, res);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

const status =
  (code: number, headers: Record<string, string> = {}): Reply =>
  (_req, res) => {
    res.writeHead(code, headers).end(`status ${code}`);
  };
const file =
  (content: string): Reply =>
  (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/gzip' }).end(content);
  };

async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
}

const fast = { retries: 3, minBackoffMs: 1, maxBackoffMs: 20 };

describe('HttpArtifactDownloader', () => {
  it('retries 5xx and 429 responses and then streams the body', async () => {
    const { base, paths } = await serve([
      status(500),
      status(429, { 'Retry-After': '0' }),
      status(503),
      file('pkg'),
    ]);
    const downloader = new HttpArtifactDownloader(fast);

    const body = await downloader.download(`${base}/pkg.tgz`);

    expect(await text(body)).toBe('pkg');
    expect(paths).toHaveLength(4);
  });

  it('does not retry a 404 and says the file is missing', async () => {
    const { base, paths } = await serve([status(404)]);
    const downloader = new HttpArtifactDownloader(fast);

    const download = downloader.download(`${base}/missing.tgz?signature=secret`);

    await expect(download).rejects.toBeInstanceOf(NotFoundError);
    await expect(download).rejects.toThrow(`${base}/missing.tgz: HTTP 404`);
    await expect(download).rejects.not.toThrow('secret');
    expect(paths).toHaveLength(1);
  });

  it('does not retry other client errors', async () => {
    const { base, paths } = await serve([status(403)]);
    const downloader = new HttpArtifactDownloader(fast);

    await expect(downloader.download(`${base}/x.tgz`)).rejects.toMatchObject({ code: 'DOWNLOAD_REFUSED' });
    expect(paths).toHaveLength(1);
  });

  it('gives up with a TransientError once the retries are spent', async () => {
    const { base, paths } = await serve([status(502)]);
    const downloader = new HttpArtifactDownloader(fast);

    await expect(downloader.download(`${base}/x.tgz`)).rejects.toBeInstanceOf(TransientError);
    expect(paths).toHaveLength(4);
  });

  it('retries connection failures', async () => {
    const { base } = await serve([file('x')]);
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    const downloader = new HttpArtifactDownloader({ ...fast, retries: 1 });

    await expect(downloader.download(`${base}/gone.tgz`)).rejects.toBeInstanceOf(TransientError);
  });

  it('turns a connection dropped mid-file into a TransientError that names the URL without its query', async () => {
    const { base } = await serve([
      (req, res) => {
        res.writeHead(200, { 'Content-Length': '1000000' });
        res.write(Buffer.alloc(1000), () => req.socket.destroy());
      },
    ]);
    const downloader = new HttpArtifactDownloader(fast);

    const body = await downloader.download(`${base}/cut.tgz?signature=secret`);
    const reading = text(body);

    await expect(reading).rejects.toBeInstanceOf(TransientError);
    await expect(reading).rejects.toThrow(`download ${base}/cut.tgz: the connection failed mid-file`);
    await expect(reading).rejects.not.toThrow('secret');
  });

  it("stops a download still running when the invocation's time is up, as a TransientError saying so", async () => {
    // Prepare: a mirror that sends the first bytes and then trickles; 300 ms of the invocation left
    const { base } = await serve([
      (_req, res) => {
        res.writeHead(200, { 'Content-Length': '1000000' });
        res.write(Buffer.alloc(1000));
      },
    ]);
    const downloader = new HttpArtifactDownloader({
      ...fast,
      deadline: () => Date.now() + 1300,
      marginMs: 1000,
    });
    const started = performance.now();

    // Act
    const reading = text(await downloader.download(`${base}/slow.tgz`));

    // Assess
    await expect(reading).rejects.toBeInstanceOf(TransientError);
    await expect(reading).rejects.toThrow("the invocation's time ran out before the file was in");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('starts no download when the invocation has no time left, and asks nothing of the server', async () => {
    // Prepare
    const { base, paths } = await serve([file('pkg')]);
    const downloader = new HttpArtifactDownloader({
      ...fast,
      deadline: () => Date.now() + 500,
      marginMs: 1000,
    });

    // Act
    const download = downloader.download(`${base}/late.tgz`);

    // Assess
    await expect(download).rejects.toBeInstanceOf(TransientError);
    await expect(download).rejects.toThrow("the invocation's time ran out");
    expect(paths).toEqual([]);
  });

  it('fetches the catalog file name from the mirror', async () => {
    const { base, paths } = await serve([file('mirrored')]);
    const downloader = new HttpArtifactDownloader({ ...fast, mirrorBaseUrl: `${base}/downloads` });

    const body = await downloader.download(
      'https://packages.example.invalid/alauda/redis-operator/redis-operator.stable.ALL.v4.0.3.tgz',
    );

    expect(await text(body)).toBe('mirrored');
    expect(paths).toEqual(['/downloads/redis-operator.stable.ALL.v4.0.3.tgz']);
  });

  it('rewrites only the directory of the URL', () => {
    const catalogUrl = 'https://packages.example.invalid/alauda/redis-operator/a.tgz';

    expect(artifactUrl(catalogUrl).href).toBe(catalogUrl);
    expect(artifactUrl(catalogUrl, 'http://127.0.0.1:9/downloads/').href).toBe(
      'http://127.0.0.1:9/downloads/a.tgz',
    );
    expect(artifactUrl(catalogUrl, 'http://mirror.local').href).toBe('http://mirror.local/a.tgz');
  });
});

describe('HttpArtifactDownloader over HTTPS with a private CA', () => {
  async function serveTls(tls: SimServingTls): Promise<{ base: string; requests: () => number }> {
    let count = 0;
    const server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => {
      count += 1;
      file('package bytes')(_req, res);
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { base: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => count };
  }

  it('downloads from a mirror whose certificate the given CA signed', async () => {
    // Prepare
    const tls = await simServingTls();
    const { base } = await serveTls(tls);
    const downloader = new HttpArtifactDownloader({
      ...fast,
      mirrorBaseUrl: `${base}/downloads/`,
      fetch: fetchTrusting(tls.caPem),
    });

    // Act
    const body = await downloader.download('https://vendor.example/pkg/redis-operator.v4.0.3.tgz');

    // Assess
    expect(await text(body)).toBe('package bytes');
  });

  it('refuses a certificate no trusted CA signed at once, naming the fix, without retrying', async () => {
    // Prepare: the mirror's CA is not given
    const { base, requests } = await serveTls(await simServingTls());
    const downloader = new HttpArtifactDownloader({ ...fast, mirrorBaseUrl: `${base}/` });

    // Act
    const error = await downloader
      .download('https://vendor.example/redis-operator.v4.0.3.tgz')
      .catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(UpgraderError);
    expect(error).not.toBeInstanceOf(TransientError);
    expect(error.code).toBe('DOWNLOAD_REFUSED');
    expect(error.message).toBe(
      `download ${base}/redis-operator.v4.0.3.tgz: the server's certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE); give its CA with REDIS_UPGRADER_ARTIFACT_MIRROR_CA`,
    );
    expect(requests()).toBe(0);
  });
});
