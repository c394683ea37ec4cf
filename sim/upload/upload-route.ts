/**
 * The simulated platform's package upload endpoint, the one the violet shim talks to:
 *
 *   POST /violet/v1/packages?clusters=a,b     Authorization: Bearer <platform token>
 *   body: the package .tgz (application/gzip)
 *
 * 200 {package, version, csv, channel, artifactVersion, results: [{cluster, status, message}]}
 *   with status `Success` or `Failed` per cluster (a failed cluster does not stop the others);
 * 400 corrupt package or no clusters; 401 bad token; 404 unknown cluster (nothing written);
 * 413 body too large; 422 unknown package. Errors are `{reason, message}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtraRoute, SimCluster } from '#sim/api/platform-server.ts';
import type { Bundle } from '#sim/packages/bundle.ts';
import {
  CorruptPackageError,
  type PluginManifest,
  readPluginPackage,
  UnknownPackageError,
} from '#sim/packages/plugin-package.ts';
import { artifactVersionName, publishArtifact } from './publish-artifact.ts';

export const UPLOAD_PATH = '/violet/v1/packages';
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export interface UploadRouteOptions {
  token: string;
  /** The platform's live cluster map. */
  clusters: Map<string, SimCluster>;
  /** Packages this platform accepts (default: redis-operator). */
  knownPackages?: string[];
  /** Clusters whose image push fails (scenario knob `failUpload`). */
  failsUpload?: (cluster: string) => boolean;
  now?: () => Date;
  maxBytes?: number;
  /** Hears each accepted upload request (one `violet push`), before its package is read. */
  onUpload?: () => void;
  /** Hears each ArtifactVersion written to a cluster (the fleet's side-effect ledger). */
  onPublished?: (cluster: string, artifactVersion: string) => void;
  /** Receives the bundle of each accepted package: its image is now in the platform's registry. */
  onBundle?: (bundle: Bundle) => void;
}

export interface ClusterUploadResult {
  cluster: string;
  status: 'Success' | 'Failed';
  message: string;
}

class UploadRefused extends Error {
  readonly httpStatus: number;
  readonly reason: string;
  constructor(httpStatus: number, reason: string, message: string) {
    super(message);
    this.httpStatus = httpStatus;
    this.reason = reason;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new UploadRefused(413, 'TooLarge', `package exceeds ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) throw new UploadRefused(413, 'TooLarge', `package exceeds ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function requestedClusters(url: URL, known: Map<string, SimCluster>): string[] {
  const names = (url.searchParams.get('clusters') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UploadRefused(400, 'BadRequest', 'no clusters given (?clusters=a,b)');
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new UploadRefused(
      404,
      'ClusterNotFound',
      `unknown cluster(s) on this platform: ${unknown.join(', ')}`,
    );
  }
  return [...new Set(names)];
}

function validPackage(body: Buffer, knownPackages: string[]): { manifest: PluginManifest; bundle: Bundle } {
  try {
    const { manifest, bundle } = readPluginPackage(body);
    if (!knownPackages.includes(manifest.package)) {
      throw new UnknownPackageError(
        `unknown package ${manifest.package}: this platform serves ${knownPackages.join(', ')}`,
      );
    }
    if (!bundle)
      throw new UnknownPackageError(`not an operator package: ${manifest.csv} carries no OLM bundle`);
    return { manifest, bundle };
  } catch (error) {
    if (error instanceof CorruptPackageError) throw new UploadRefused(400, 'CorruptPackage', error.message);
    if (error instanceof UnknownPackageError) throw new UploadRefused(422, 'UnknownPackage', error.message);
    throw error;
  }
}

function pushToCluster(
  cluster: SimCluster,
  manifest: PluginManifest,
  options: UploadRouteOptions,
): ClusterUploadResult {
  const name = cluster.name;
  if (options.failsUpload?.(name)) {
    return {
      cluster: name,
      status: 'Failed',
      message: `pushing images to cluster ${name} failed: registry unavailable`,
    };
  }
  try {
    publishArtifact(cluster.store, manifest, (options.now ?? (() => new Date()))());
    options.onPublished?.(name, artifactVersionName(manifest));
    return {
      cluster: name,
      status: 'Success',
      message: `ArtifactVersion ${artifactVersionName(manifest)} Success`,
    };
  } catch (error) {
    return { cluster: name, status: 'Failed', message: `cluster ${name}: ${(error as Error).message}` };
  }
}

async function handleUpload(req: IncomingMessage, url: URL, options: UploadRouteOptions) {
  if (req.headers.authorization !== `Bearer ${options.token}`) {
    throw new UploadRefused(401, 'Unauthorized', 'missing or invalid platform token');
  }
  if (req.method !== 'POST') throw new UploadRefused(405, 'MethodNotAllowed', `use POST ${UPLOAD_PATH}`);
  const names = requestedClusters(url, options.clusters);
  options.onUpload?.();
  const { manifest, bundle } = validPackage(
    await readBody(req, options.maxBytes ?? DEFAULT_MAX_BYTES),
    options.knownPackages ?? ['redis-operator'],
  );
  options.onBundle?.(bundle);
  const results = names.map((name) =>
    pushToCluster(options.clusters.get(name) as SimCluster, manifest, options),
  );
  return { ...manifest, artifactVersion: artifactVersionName(manifest), results };
}

export function uploadRoute(options: UploadRouteOptions): ExtraRoute {
  return async (req, res, url) => {
    if (url.pathname !== UPLOAD_PATH) return false;
    try {
      sendJson(res, 200, await handleUpload(req, url, options));
    } catch (error) {
      if (!(error instanceof UploadRefused)) throw error;
      // Drain what the client is still sending so it reads our answer instead of a reset socket.
      req.resume();
      sendJson(res, error.httpStatus, { reason: error.reason, message: error.message });
    }
    return true;
  };
}
