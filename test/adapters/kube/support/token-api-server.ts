/**
 * A stub Kubernetes API server on loopback (plain HTTP) that accepts one bearer token at a time,
 * as a platform does once a rotated token's predecessor is revoked. It answers a cluster's
 * ProductBase list (readPlatformVersion) and records which token each request carried and how
 * many connections were opened, so a test can tell a rotated token from a reused connection.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenApiServer {
  url: string;
  /** The only token accepted from now on. */
  accept(token: string): void;
  /** The Authorization header of each request, in order. */
  authorizations: string[];
  /** Connections the server accepted (a reused keep-alive connection counts once). */
  connections(): number;
  close(): Promise<void>;
}

export async function startTokenApiServer(version = '3.18.2'): Promise<TokenApiServer> {
  let accepted = '';
  let connections = 0;
  const authorizations: string[] = [];
  const server = createServer((req, res) => {
    const authorization = req.headers.authorization ?? '';
    authorizations.push(authorization);
    const json = (status: number, body: object) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (authorization !== `Bearer ${accepted}`) {
      return json(401, { kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    }
    if (
      !/^\/kubernetes\/[^/]+\/apis\/product\.alauda\.io\/v1alpha2\/productbases$/.test(
        req.url?.split('?')[0] ?? '',
      )
    ) {
      return json(404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    }
    json(200, { items: [{ metadata: { name: 'base' }, status: { version: `v${version}` } }], metadata: {} });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accept: (token) => {
      accepted = token;
    },
    authorizations,
    connections: () => connections,
    close: () =>
      new Promise((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

/** A platform kubeconfig (docs/decisions/0005): one token, a context per cluster under the server. */
export function platformKubeconfig(url: string, token: string, clusters: string[]): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    ...clusters.map((name) => `  - { name: ${name}, cluster: { server: "${url}/kubernetes/${name}" } }`),
    `users: [{ name: platform, user: { token: "${token}" } }]`,
    'contexts:',
    ...clusters.map((name) => `  - { name: ${name}, context: { cluster: ${name}, user: platform } }`),
    '',
  ].join('\n');
}
