/**
 * What a simulated platform was asked, counted where it arrives, so a test or a benchmark can say
 * how many connections and Kubernetes requests an upgrade costs: TCP (or TLS) connections
 * accepted, open now and at the peak; Kubernetes requests by the verb the apiserver's audit log
 * would name (get, list, watch, create, update, patch, delete) and resource, per cluster; and
 * package uploads. Counting is a few map increments per request, cheap next to serving it.
 */
import type { KubePath } from '#sim/api/kube-path.ts';

export interface ConnectionCounts {
  /** Connections accepted since the start (TLS: handshakes completed). */
  accepted: number;
  open: number;
  peakOpen: number;
}

export interface TrafficView {
  connections: ConnectionCounts;
  /** Kubernetes requests of every cluster, by `<verb> <resource>` (e.g. `get packagemanifests`). */
  requests: Record<string, number>;
  /** Kubernetes requests per cluster. */
  clusters: Record<string, number>;
  /** Package uploads (`violet push` calls), whatever the number of clusters each names. */
  uploads: number;
}

function verbOf(method: string, path: Extract<KubePath, { kind: 'resource' }>, url: URL): string {
  switch (method) {
    case 'GET': {
      const watch = url.searchParams.get('watch');
      if (path.watchPath || watch === 'true' || watch === '1') return 'watch';
      return path.name === undefined ? 'list' : 'get';
    }
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return path.name === undefined ? 'deletecollection' : 'delete';
    default:
      return method.toLowerCase();
  }
}

export class TrafficCounter {
  readonly #connections: ConnectionCounts = { accepted: 0, open: 0, peakOpen: 0 };
  readonly #requests = new Map<string, number>();
  readonly #clusters = new Map<string, number>();
  #uploads = 0;

  /** A connection was accepted; call the returned function when it closes. */
  connection(): () => void {
    const counts = this.#connections;
    counts.accepted += 1;
    counts.open += 1;
    counts.peakOpen = Math.max(counts.peakOpen, counts.open);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      counts.open -= 1;
    };
  }

  /** A request under /kubernetes/<cluster>/ (discovery and OpenAPI count as `get <what>`). */
  request(cluster: string, method: string, path: KubePath, url: URL): void {
    const key = path.kind === 'resource' ? `${verbOf(method, path, url)} ${path.plural}` : `get ${path.kind}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    this.#clusters.set(cluster, (this.#clusters.get(cluster) ?? 0) + 1);
  }

  upload(): void {
    this.#uploads += 1;
  }

  view(): TrafficView {
    return {
      connections: { ...this.#connections },
      requests: Object.fromEntries(this.#requests),
      clusters: Object.fromEntries(this.#clusters),
      uploads: this.#uploads,
    };
  }
}

/** Several platforms' traffic as one. */
export function sumTraffic(views: TrafficView[]): TrafficView {
  const total: TrafficView = {
    connections: { accepted: 0, open: 0, peakOpen: 0 },
    requests: {},
    clusters: {},
    uploads: 0,
  };
  for (const view of views) {
    total.connections.accepted += view.connections.accepted;
    total.connections.open += view.connections.open;
    // Peaks of different platforms need not coincide: their sum bounds the fleet's peak.
    total.connections.peakOpen += view.connections.peakOpen;
    for (const [key, n] of Object.entries(view.requests))
      total.requests[key] = (total.requests[key] ?? 0) + n;
    Object.assign(total.clusters, view.clusters);
    total.uploads += view.uploads;
  }
  return total;
}
