/**
 * Watching one object (or, for plan-ready, a namespace's InstallPlans) until a wake condition
 * holds: what the local runtime's waker (#usecases/wake-on-change.ts) waits on. The watch starts
 * without a resourceVersion, so the current state arrives first and a change between the stage's
 * read and the watch is not missed. A watched object's deletion ends the watch too: the stage
 * should look. A stream the server ends is watched again, and so is a 410 (Expired): Kubernetes'
 * "list and watch again", which a watch from the current state is. A server (or proxy) that ends
 * every stream at once would be asked again without pause, so a few early ends in a row fail the
 * watch, and the waker polls that cluster instead.
 */
import { ValidationError } from '#domain/errors.ts';
import { unpackSettled } from '#domain/install-plan-gate.ts';
import { SETTLED_CSV_PHASES, type WakeCondition } from '#domain/wake-condition.ts';
import type { KubeConnections, WatchEvent } from './kube-connections.ts';
import type { KubeEndpoint } from './kube-endpoint.ts';
import {
  CSVS,
  type CustomResource,
  customPath,
  INSTALL_PLANS,
  PACKAGE_MANIFESTS,
  REDIS_INSTANCE_KINDS,
} from './kube-resources.ts';
import {
  instanceStatus,
  type KubeObject,
  toCsvView,
  toInstallPlanView,
  toPackageChannelView,
} from './kube-views.ts';

/** The server ends a watch after this long (it may end it sooner); the client watches again. */
const WATCH_SECONDS = 600;
/**
 * A stream that ended sooner than this ended early; this many in a row fail the watch. Failing
 * rather than backing off: the waker then delivers the wait at once and polls the cluster on the
 * stages' own cadence for its cool-off, and says so in its log, where a backoff here would poll
 * silently on a cadence of its own while holding the job's watch slot.
 */
const EARLY_END_MS = 1_000;
const MAX_EARLY_ENDS = 3;

export interface WatchedObject {
  resource: CustomResource;
  namespace: string;
  /** The object's name; none: every object of the namespace (plan-ready). */
  name?: string;
  holds: (object: KubeObject) => boolean;
}

/** What a wake condition watches, and when it holds. */
export function watchedObject(
  condition: WakeCondition,
  namespaces: { subscriptionNamespace: string; catalogNamespace: string },
): WatchedObject {
  const { subscriptionNamespace, catalogNamespace } = namespaces;
  switch (condition.kind) {
    case 'channel-offers':
      return {
        resource: PACKAGE_MANIFESTS,
        namespace: catalogNamespace,
        name: condition.packageName,
        holds: (object) => toPackageChannelView(object, condition.channel).offered.includes(condition.csv),
      };
    case 'plan-ready':
      return {
        resource: INSTALL_PLANS,
        namespace: subscriptionNamespace,
        holds: (object) => {
          const plan = toInstallPlanView(object);
          return plan.csvNames.includes(condition.csv) && unpackSettled(plan);
        },
      };
    case 'plan-unpacked':
      return {
        resource: INSTALL_PLANS,
        namespace: condition.namespace,
        name: condition.name,
        holds: (object) => unpackSettled(toInstallPlanView(object)),
      };
    case 'csv-settled':
      return {
        resource: CSVS,
        namespace: subscriptionNamespace,
        name: condition.csv,
        holds: (object) => SETTLED_CSV_PHASES.includes(toCsvView(object).phase ?? ''),
      };
    case 'instance-healthy': {
      const { instance } = condition;
      const kind = REDIS_INSTANCE_KINDS.find((k) => k.kind === instance.kind);
      if (!kind) throw new ValidationError(`no Redis instance kind ${instance.kind}`);
      return {
        resource: kind,
        namespace: instance.namespace,
        name: instance.name,
        holds: (object) => instanceStatus(kind, object) === kind.healthy,
      };
    }
  }
}

/** Resolves once `watched` holds; rejects when the watch fails or `signal` aborts. */
export async function watchUntil(
  connections: KubeConnections,
  endpoint: KubeEndpoint,
  cluster: string,
  { resource, namespace, name, holds }: WatchedObject,
  signal: AbortSignal,
): Promise<void> {
  const request = {
    path: customPath(resource, namespace),
    query: { fieldSelector: name && `metadata.name=${name}`, timeoutSeconds: WATCH_SECONDS },
  };
  const what = `${cluster}: watch ${resource.plural}`;
  const onEvent = (event: WatchEvent): boolean | 'restart' => {
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; reason?: string; message?: string };
      if (status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone') return 'restart';
      throw new Error(`${what}: ${status.code} ${status.message}`);
    }
    if (event.type === 'DELETED') return name !== undefined;
    return event.type !== 'BOOKMARK' && holds(event.object as KubeObject);
  };
  for (let earlyEnds = 0; ; ) {
    const started = performance.now();
    if (await connections.watch(endpoint, request, onEvent, signal)) return;
    signal.throwIfAborted();
    earlyEnds = performance.now() - started < EARLY_END_MS ? earlyEnds + 1 : 0;
    if (earlyEnds >= MAX_EARLY_ENDS) {
      throw new Error(`${what}: the server ended ${earlyEnds} streams early in a row`);
    }
  }
}
