import { describe, expect, it } from 'vitest';
import { ConfigError } from '#domain/errors.ts';
import type { JobEvent } from '#domain/job-event.ts';
import { InMemoryArtifactStore } from '#test/fakes/artifacts.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { FakeClock } from '#test/fakes/clock.ts';
import { FakeClusterGateway } from '#test/fakes/cluster.ts';
import { InMemoryClusterRegistry } from '#test/fakes/cluster-registry.ts';
import { InMemoryJobStore } from '#test/fakes/job-store.ts';
import { RecordingLog } from '#test/fakes/log.ts';
import { FakeQueue } from '#test/fakes/queue.ts';
import { webhookPorts } from '#test/fakes/webhooks.ts';
import { consumerDeps } from '#usecases/consumer-deps.ts';
import type { RuntimePorts } from '#usecases/consumer-row.ts';
import { bindConsumer, CONSUMERS } from '#usecases/consumers.ts';

function corePorts(clock = new FakeClock()) {
  const queue = new FakeQueue(clock);
  const ports: RuntimePorts = {
    jobs: new InMemoryJobStore(),
    clusters: new InMemoryClusterRegistry(),
    queue,
    clock,
    log: new RecordingLog(),
  };
  return { ports, queue };
}

const stageMessage = { jobId: 'j1', stage: 'verify', hop: 0, seq: 1 } as const;

describe('the consumer table', () => {
  it('gives a consumer a queue that refuses the queues its row does not list', async () => {
    // Prepare
    const { ports, queue } = corePorts();
    const deps = consumerDeps('check-backup', CONSUMERS['check-backup'], {
      ...ports,
      gateway: new FakeClusterGateway(),
      config: {},
      ...webhookPorts(),
    });
    // Act
    await deps.queue.send('upload-package', { ...stageMessage, stage: 'upload-package' });
    const refused = deps.queue.send('verify', stageMessage);
    // Assess
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(/check-backup may not send to the verify queue/);
    expect(queue.sent.map((sent) => sent.queue)).toEqual(['upload-package']);
  });

  it('gives a consumer the ports its row needs and none of the others', () => {
    // Prepare: a runtime that has every port
    const { ports } = corePorts();
    const all: RuntimePorts = {
      ...ports,
      catalog: testCatalog(),
      gateway: new FakeClusterGateway(),
      artifacts: new InMemoryArtifactStore(),
      config: {},
      ...webhookPorts(),
    };
    // Act
    const verify = consumerDeps('verify', CONSUMERS.verify, all);
    const notify = consumerDeps('notify', CONSUMERS.notify, all);
    // Assess
    expect(Object.keys(verify).sort()).toEqual(
      [
        'clock',
        'clusters',
        'config',
        'gateway',
        'jobs',
        'log',
        'notifier',
        'queue',
        'webhookEndpoints',
      ].sort(),
    );
    expect(Object.keys(notify).sort()).toEqual(
      ['clock', 'clusters', 'deliveries', 'jobs', 'log', 'notifier', 'queue', 'webhookEndpoints'].sort(),
    );
  });

  it('refuses to build a consumer whose needed port the runtime lacks', () => {
    // Prepare
    const { ports } = corePorts();
    // Act
    const bind = () => bindConsumer('notify', ports);
    // Assess
    expect(bind).toThrow(/notify needs webhookEndpoints, which this runtime does not provide/);
  });

  it('lets a consumer emit job events only when its row sends to notify', async () => {
    // Prepare
    const { ports, queue } = corePorts();
    const event: JobEvent = {
      id: 'e',
      type: 'upgrade.queued',
      occurredAt: '2030-01-01T00:00:00.000Z',
      data: {},
    };
    const withStores = { ...ports, ...webhookPorts() };
    // Act
    const fromVerify = consumerDeps('verify', CONSUMERS.verify, {
      ...withStores,
      gateway: new FakeClusterGateway(),
      config: {},
    });
    const fromNotify = consumerDeps('notify', CONSUMERS.notify, withStores);
    // Assess
    await expect(
      fromVerify.notifier.emit(event, { callbackUrl: 'https://a.example.com/' }),
    ).resolves.toBeUndefined();
    expect(queue.sent.map((sent) => sent.queue)).toEqual(['notify']);
    await expect(fromNotify.notifier.emit(event, {})).rejects.toThrow(/notify may not emit job events/);
  });

  it('refuses to build an emitting consumer whose row does not need the endpoints or send to rollout', () => {
    // Prepare: the verify row without its endpoints need, and without rollout among its sends,
    // over a runtime that has every port
    const { ports } = corePorts();
    const { endpoints: _, ...needs } = CONSUMERS.verify.needs;
    const sends = CONSUMERS.verify.sends.filter((queue) => queue !== 'rollout');
    const all = {
      ...ports,
      ...webhookPorts(),
      gateway: new FakeClusterGateway(),
      config: {},
    };
    // Act
    const withoutEndpoints = () => consumerDeps('verify', { ...CONSUMERS.verify, needs }, all);
    const withoutRollout = () => consumerDeps('verify', { ...CONSUMERS.verify, sends }, all);
    // Assess
    const refusal =
      /verify emits job events \(it sends to notify\): its row must send to rollout .* and need endpoints/;
    expect(withoutEndpoints).toThrow(refusal);
    expect(withoutRollout).toThrow(refusal);
  });
});
