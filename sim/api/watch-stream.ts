import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf, type ResourceType } from '#sim/resource-types.ts';
import { SimApiError } from '#sim/store/api-error.ts';
import type { ClusterStore, WatchJsonOptions } from '#sim/store/cluster-store.ts';

const BOOKMARK_INTERVAL_MS = 10_000;

export interface WatchRequest extends WatchJsonOptions {
  timeoutSeconds?: number | undefined;
  allowWatchBookmarks?: boolean;
  /** Rewrites each event's object (a server-side Table); bookmarks and errors pass as they are. */
  transform?: (objectJson: string) => string;
}

/**
 * Streams a watch as newline-delimited `{type, object}` JSON over a chunked response, the way the
 * apiserver does. A resourceVersion older than the retained history answers 200 with one ERROR event
 * carrying a 410 Expired Status, so clients relist exactly as they would against a real cluster.
 */
export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: ClusterStore,
  t: ResourceType,
  opts: WatchRequest,
): void {
  const pending: string[] = [];
  let started = false;
  const emit = (type: string, objectJson: string): void => {
    const object = opts.transform ? opts.transform(objectJson) : objectJson;
    const line = `{"type":"${type}","object":${object}}\n`;
    if (started) res.write(line);
    else pending.push(line);
  };
  let stop: () => void = () => undefined;
  let failure: SimApiError | undefined;
  try {
    stop = store.watchJson(t, opts, emit);
  } catch (error) {
    if (!(error instanceof SimApiError) || error.code !== 410) throw error;
    failure = error;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  started = true;
  // Without a body chunk Node holds the headers back, and clients wait for them before reading events.
  res.flushHeaders();
  // The initial ADDED events are one write: a large initial state goes out in one chunk.
  if (pending.length > 0) res.write(pending.join(''));
  if (failure) {
    res.end(`{"type":"ERROR","object":${JSON.stringify(failure.status)}}\n`);
    return;
  }
  const timers: NodeJS.Timeout[] = [];
  if (opts.timeoutSeconds && opts.timeoutSeconds > 0) {
    timers.push(setTimeout(() => res.end(), opts.timeoutSeconds * 1000));
  }
  if (opts.allowWatchBookmarks) {
    const apiVersion = apiVersionOf(t);
    timers.push(
      setInterval(() => {
        const bookmark = { kind: t.kind, apiVersion, metadata: { resourceVersion: store.resourceVersion } };
        res.write(`{"type":"BOOKMARK","object":${JSON.stringify(bookmark)}}\n`);
      }, BOOKMARK_INTERVAL_MS),
    );
  }
  const finish = (): void => {
    stop();
    for (const timer of timers) clearTimeout(timer);
  };
  res.on('close', finish);
  req.on('close', finish);
}
