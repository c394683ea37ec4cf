import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { reviewAccess } from '#sim/api/access-review.ts';
import { clusterList } from '#sim/api/cluster-list.ts';
import {
  AUTHORIZATION_GROUP,
  apiGroup,
  coreVersions,
  groupList,
  resourceList,
  SIM_KUBE_VERSION,
} from '#sim/api/discovery.ts';
import { type Fault, type FaultConfig, FaultInjector } from '#sim/api/faults.ts';
import {
  internalError,
  methodNotAllowed,
  readJson,
  resourceNotFound,
  sendError,
  sendFailure,
  sendJson,
  tooManyRequests,
  unauthorized,
} from '#sim/api/http-io.ts';
import { type KubePath, parseKubePath } from '#sim/api/kube-path.ts';
import { openApiV2Document, openApiV3Document, openApiV3Root } from '#sim/api/openapi.ts';
import { handleResource } from '#sim/api/resource-handler.ts';
import { TrafficCounter } from '#sim/api/traffic.ts';
import { SimApiError } from '#sim/store/api-error.ts';
import type { ClusterStore } from '#sim/store/cluster-store.ts';

export type { FaultConfig } from '#sim/api/faults.ts';

export interface SimCluster {
  name: string;
  labels: Record<string, string>;
  store: ClusterStore;
  faults: FaultConfig;
}

/** Tried before the bearer-token check, in order; returns true when it handled the request. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface PlatformServerOptions {
  token: string;
  host?: string;
  port?: number;
  seed?: number;
  /** Live: clusters added or removed after start are served (or not) from the next request on. */
  clusters: Map<string, SimCluster>;
  extraRoutes?: ExtraRoute[];
  /** Serve HTTPS with this certificate and key (PEM); plain HTTP without. */
  tls?: { certPem: string; keyPem: string };
  /** Counts connections and Kubernetes requests (a fresh counter when not given). */
  traffic?: TrafficCounter;
}

/**
 * How the platform answers: normally; `503` to every request, as an overloaded apiserver or its
 * gateway does; or not at all (`refuse`: nothing listens on the port, every connection is dropped).
 */
export type Availability = 'up' | '503' | 'refuse';

export interface PlatformServer {
  url: string;
  port: number;
  /** Connections and Kubernetes requests served so far. */
  traffic: TrafficCounter;
  /** Resolves once the port answers as `next` says (listening again on the same port after `refuse`). */
  setAvailability(next: Availability): Promise<void>;
  close(): Promise<void>;
}

const CLUSTER_PREFIX = '/kubernetes/';
/** Listening again on the same port after `refuse` retries for up to 5 s while something else holds it. */
const RELISTEN_ATTEMPTS = 50;
const RELISTEN_DELAY_MS = 100;

function hasToken(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length).trim(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function clusterNotFound(name: string): SimApiError {
  return new SimApiError(404, 'NotFound', `clusters.clusterregistry.k8s.io "${name}" not found`, {
    name,
    group: 'clusterregistry.k8s.io',
    kind: 'clusters',
  });
}

async function serveKube(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: KubePath,
  cluster: SimCluster,
  serverAddress: string,
): Promise<void> {
  const prefix = `${CLUSTER_PREFIX}${encodeURIComponent(cluster.name)}`;
  const read = (body: object | undefined): void => {
    if (req.method !== 'GET')
      throw new SimApiError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    if (!body) throw resourceNotFound();
    sendJson(res, 200, body);
  };
  switch (path.kind) {
    case 'version':
      return read(SIM_KUBE_VERSION);
    case 'health':
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    case 'core-versions':
      return read(coreVersions(serverAddress));
    case 'group-list':
      return read(groupList());
    case 'group':
      return read(apiGroup(path.group));
    case 'resource-list':
      return read(resourceList(path.group, path.version));
    case 'openapi-v2':
      if (!acceptsJson(req)) throw notAcceptable();
      return read(openApiV2Document());
    case 'openapi-v3-root':
      return read(openApiV3Root(prefix));
    case 'openapi-v3':
      return read(openApiV3Document(path.groupVersion));
    case 'resource':
      if (path.group === AUTHORIZATION_GROUP) {
        if (path.version !== 'v1' || path.plural !== 'selfsubjectaccessreviews' || path.name !== undefined)
          throw resourceNotFound();
        if (req.method !== 'POST') throw methodNotAllowed();
        return sendJson(res, 201, reviewAccess(await readJson(req)));
      }
      return handleResource(req, res, url, path, cluster.store);
    default:
      throw resourceNotFound();
  }
}

/** Whether the client takes JSON (the OpenAPI v2 document is not served as protobuf). */
function acceptsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept === '' || /application\/json|\*\/\*/.test(accept);
}

function notAcceptable(): SimApiError {
  return new SimApiError(406, 'NotAcceptable', 'only application/json is served here, not protobuf');
}

/** Answers the request with the fault instead of serving it; a timeout holds it, then drops the socket. */
function injectFault(
  req: IncomingMessage,
  res: ServerResponse,
  fault: Fault,
  held: Set<NodeJS.Timeout>,
): void {
  if (fault.kind === 'timeout') {
    const timer = setTimeout(() => {
      held.delete(timer);
      req.socket.destroy();
    }, fault.ms);
    held.add(timer);
  } else if (fault.kind === 'error500') {
    sendError(res, internalError('injected fault'));
  } else if (fault.kind === 'throttle429') {
    sendError(res, tooManyRequests(fault.retryAfterSeconds), {
      'Retry-After': String(fault.retryAfterSeconds),
    });
  } else {
    sendError(
      res,
      new SimApiError(
        409,
        'Conflict',
        'Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again (injected fault)',
      ),
    );
  }
}

function unavailable(): SimApiError {
  return new SimApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** `/kubernetes/<cluster>/rest` -> the cluster and the apiserver path it addresses. */
function splitClusterPath(pathname: string): { name: string; path: string } {
  const rest = pathname.slice(CLUSTER_PREFIX.length);
  const slash = rest.indexOf('/');
  return {
    name: decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash)),
    path: slash < 0 ? '/' : rest.slice(slash),
  };
}

/**
 * One simulated ACP platform on one port: cluster discovery at `/auth/v1/clusters`, each cluster's
 * Kubernetes API under `/kubernetes/<cluster>/`, one bearer token, per-cluster fault injection.
 * Thousands of clusters share this one server; a cluster costs only its store.
 */
export async function startPlatformServer(opts: PlatformServerOptions): Promise<PlatformServer> {
  const expected = Buffer.from(opts.token, 'utf8');
  const injector = new FaultInjector(opts.seed ?? 1);
  const traffic = opts.traffic ?? new TrafficCounter();
  const held = new Set<NodeJS.Timeout>();
  let baseUrl = '';

  const serveCluster = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const { name, path } = splitClusterPath(url.pathname);
    const cluster = opts.clusters.get(name);
    if (!cluster) throw clusterNotFound(name);
    const kubePath = parseKubePath(path);
    traffic.request(name, req.method ?? 'GET', kubePath, url);
    const fault = injector.pick(name, cluster.faults, req.method ?? 'GET');
    if (fault) return injectFault(req, res, fault, held);
    await serveKube(req, res, url, kubePath, cluster, new URL(baseUrl).host);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    for (const route of opts.extraRoutes ?? []) {
      if (await route(req, res, url)) return;
    }
    if (!hasToken(req, expected)) return sendError(res, unauthorized());
    if (url.pathname === '/auth/v1/clusters' || url.pathname === '/auth/v1/clusters/') {
      if (req.method !== 'GET') throw new SimApiError(405, 'MethodNotAllowed', 'only GET is served here');
      return sendJson(res, 200, clusterList(opts.clusters.values(), url, baseUrl));
    }
    if (!url.pathname.startsWith(CLUSTER_PREFIX)) throw resourceNotFound();
    await serveCluster(req, res, url);
  };

  let availability: Availability = 'up';
  let closed = false;
  let transition = Promise.resolve();
  // Responses still open, so a 503 outage can end the streams (watches) that began before it.
  const open = new Set<ServerResponse>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (availability === '503') {
      req.resume(); // read what the client still sends, so it gets the answer rather than a reset
      return sendError(res, unavailable());
    }
    open.add(res);
    res.once('close', () => open.delete(res));
    handle(req, res).catch((error: unknown) => sendFailure(res, error));
  };
  const server: Server = opts.tls
    ? createHttpsServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, listener)
    : createServer(listener);
  server.keepAliveTimeout = 30_000;
  // With TLS a connection counts once its handshake is done: what a client pays for is the handshake.
  server.on(opts.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    socket.once('close', traffic.connection());
  });
  const host = opts.host ?? '127.0.0.1';
  await listen(server, opts.port ?? 0, host);
  const { port, address } = server.address() as AddressInfo;
  baseUrl = `${opts.tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}`;

  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const timer of held) clearTimeout(timer);
      held.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const listenAgain = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await listen(server, port, host);
      } catch (error) {
        const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!busy || closed || attempt >= RELISTEN_ATTEMPTS) throw error;
        await new Promise((wake) => setTimeout(wake, RELISTEN_DELAY_MS));
      }
    }
  };
  const apply = async (next: Availability) => {
    if (closed) return;
    if (next === 'refuse') {
      availability = next;
      if (server.listening) await stopListening();
      return;
    }
    if (!server.listening) await listenAgain();
    availability = next;
    if (next === '503') for (const res of open) if (res.headersSent) res.end();
  };
  return {
    url: baseUrl,
    port,
    traffic,
    setAvailability(next) {
      const applied = transition.catch(() => undefined).then(() => apply(next));
      transition = applied;
      return applied;
    },
    async close() {
      closed = true;
      await transition.catch(() => undefined);
      if (server.listening) await stopListening();
    },
  };
}
