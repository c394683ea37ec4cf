/**
 * What a runtime hands a consumer of the consumer table (#usecases/consumers.ts), or the API:
 * only the queues its row sends to, its notifier, and the ports its needs name. A wrong row thus
 * fails locally and in tests the way a missing grant would fail on AWS.
 */
import { ConfigError } from '#domain/errors.ts';
import type { Notifier, Queue } from '#shared/ports.ts';
import {
  type ConsumerDeps,
  type ConsumerRow,
  type Needs,
  PORTS_OF_NEED,
  type QueueName,
  type RuntimePorts,
} from '#usecases/consumer-row.ts';
import { makeNotifier } from '#usecases/notifier.ts';

/** A queue that sends only to `allowed`, as `who`'s row (or grants, on AWS) permit. */
export function sendingOnlyTo(queue: Queue, allowed: readonly QueueName[], who: string): Queue {
  return {
    send: async (name, message, options) => {
      if (!(allowed as readonly string[]).includes(name)) {
        throw new ConfigError(
          `${who} may not send to the ${name} queue: its row (#usecases/rows/) does not list it`,
        );
      }
      await queue.send(name, message, options);
    },
  };
}

/**
 * The notifier of `name` (a consumer's row, or the API): reading the endpoints, sending to notify
 * and rollout on `queue` (limited to the row's sends). A row that sends to notify must send to
 * rollout and read endpoints (a ConfigError otherwise, as a missing grant would be on AWS); any
 * other row's notifier refuses to emit.
 */
export function notifierFor(
  name: string,
  row: { sends: readonly QueueName[]; needs: Needs },
  ports: Pick<RuntimePorts, 'webhookEndpoints' | 'metrics'>,
  queue: Queue,
): Notifier {
  if (!row.sends.includes('notify')) {
    const refusal = new ConfigError(
      `${name} may not emit job events: its row (#usecases/rows/) does not send to the notify queue`,
    );
    return { emit: () => Promise.reject(refusal) };
  }
  const { webhookEndpoints, metrics } = ports;
  if (
    !((row.needs.endpoints || row.needs.webhookStore) && webhookEndpoints && row.sends.includes('rollout'))
  ) {
    throw new ConfigError(
      `${name} emits job events (it sends to notify): its row must send to rollout (a batch's job's end wakes it) and need endpoints, and the runtime provide them`,
    );
  }
  return makeNotifier({ webhookEndpoints, queue, ...(metrics ? { metrics } : {}) });
}

/**
 * The ports `name`'s consumer gets from a runtime's `ports`: the core with its queue limited to
 * the row's `sends`, its notifier (notifierFor), and the needed ports (read through, so a runtime
 * may expose a reloading catalog by a getter). A needed port the runtime lacks is a ConfigError.
 */
export function consumerDeps<N extends Needs>(
  name: string,
  row: { sends: readonly QueueName[]; needs: N },
  ports: RuntimePorts,
): ConsumerDeps<N> {
  const queue = sendingOnlyTo(ports.queue, row.sends, name);
  const deps: Record<string, unknown> = {
    jobs: ports.jobs,
    clusters: ports.clusters,
    queue,
    clock: ports.clock,
    log: ports.log,
    ...(ports.metrics ? { metrics: ports.metrics } : {}),
    ...(ports.random ? { random: ports.random } : {}),
    ...(ports.waker ? { waker: ports.waker } : {}),
    ...(ports.waitHistory ? { waitHistory: ports.waitHistory } : {}),
  };
  for (const need of Object.keys(row.needs) as (keyof Needs)[]) {
    for (const port of PORTS_OF_NEED[need]) {
      if (!(port in ports))
        throw new ConfigError(`${name} needs ${port}, which this runtime does not provide`);
      // Two needs may name one port (webhookStore and endpoints): define it once.
      if (!(port in deps)) Object.defineProperty(deps, port, { enumerable: true, get: () => ports[port] });
    }
  }
  // After the needs: a missing port is named as such before the notifier asks for it.
  deps.notifier = notifierFor(name, row, ports, queue);
  return deps as ConsumerDeps<N>;
}

/** A row made into its handler over a runtime's ports, with the queue it may use. */
export function bindRow(name: QueueName, row: ConsumerRow<object>, ports: RuntimePorts) {
  const deps = consumerDeps(name, row, ports);
  return { name, row, queue: deps.queue, handle: row.make(deps) };
}
