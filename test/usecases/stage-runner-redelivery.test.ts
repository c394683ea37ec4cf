/**
 * The stage runner under at-least-once delivery: duplicates of every message must neither hammer
 * the cluster (a re-sent message keeps the wait its commit scheduled) nor sustain themselves hop
 * after hop, and a worker that dies between its commit and its send must not strand the job.
 */
import { describe, expect, it } from 'vitest';
import type { StageSeconds } from '#domain/job.ts';
import { createPipeline, type Pipeline } from '#test/fakes/pipeline.ts';

/** A catalog that syncs five minutes after each push, so patch-subscription polls for it. */
async function slowCatalogPipeline() {
  const pipeline = createPipeline();
  const { cluster, olm } = await pipeline.addCluster('prod-1', {
    installed: '3.18.2',
    platformVersion: '4.0.0',
  });
  olm.syncOnPush = false;
  const pushes: { file: string; at: number }[] = [];
  const pushed = olm.pushed.bind(olm);
  olm.pushed = (file) => {
    pushed(file);
    pushes.push({ file, at: pipeline.clock.now().getTime() });
  };
  const syncDue = () => {
    for (const push of pushes.filter((p) => pipeline.clock.now().getTime() - p.at >= 300_000)) {
      const entry = pipeline.catalog.versions.find((v) => push.file.endsWith(`v${v.version}.tgz`));
      if (entry) olm.offer(entry.channel, entry.csv);
      pushes.splice(pushes.indexOf(push), 1);
    }
  };
  return { pipeline, cluster, syncDue };
}

function sentPerStage(pipeline: Pipeline): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sent of pipeline.queue.sent) counts[sent.queue] = (counts[sent.queue] ?? 0) + 1;
  return counts;
}

async function upgrade(duplicate: boolean, expectedWaits?: StageSeconds) {
  const { pipeline, cluster, syncDue } = await slowCatalogPipeline();
  const learned = expectedWaits ? { expectedWaits } : {};
  const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1', ...learned });
  const deliveries = await pipeline.run({ duplicate, afterDelivery: syncDue });
  const reads = Object.values(cluster.calls).reduce((sum, n) => sum + (n ?? 0), 0);
  return { pipeline, done: await pipeline.job(job.id), deliveries, reads, sent: sentPerStage(pipeline) };
}

describe('stage runner under duplicate delivery', () => {
  it('reads the cluster as often as with single delivery and at most doubles the messages per hop', async () => {
    // Prepare
    const single = await upgrade(false);
    // Act: every message delivered twice
    const doubled = await upgrade(true);
    // Assess
    expect(single.done.state).toBe('succeeded');
    expect(doubled.done.state).toBe('succeeded');
    expect(doubled.done.transitions).toEqual(single.done.transitions);
    expect(doubled.reads).toBe(single.reads);
    expect(doubled.pipeline.uploader.pushes).toHaveLength(2);
    for (const [stage, count] of Object.entries(single.sent)) {
      expect(doubled.sent[stage], stage).toBeLessThanOrEqual(2 * count);
    }
    expect(doubled.deliveries).toBeLessThanOrEqual(4 * single.deliveries);
  });

  it("keeps a rollout job's delayed first looks, and what they save, when every message is delivered twice", async () => {
    // Prepare: the earlier jobs of its rollout took the five minutes the catalog takes to sync
    const learned = { 'patch-subscription': 300 };
    const polled = await upgrade(false);
    const single = await upgrade(false, learned);
    // Act
    const doubled = await upgrade(true, learned);
    // Assess
    expect(single.done.state).toBe('succeeded');
    expect(doubled.done.transitions).toEqual(single.done.transitions);
    expect(doubled.reads).toBe(single.reads);
    expect(single.reads).toBeLessThan(polled.reads);
    // Two hops: polling with nothing learned sent patch-subscription 12 messages; the delayed looks, 2 a hop.
    expect(single.sent['patch-subscription']).toBe(4);
    expect(polled.sent['patch-subscription']).toBe(12);
  });

  it('keeps the wait a commit scheduled when a duplicate arrives: nothing is delivered before it is due', async () => {
    // Prepare
    const { pipeline, syncDue } = await slowCatalogPipeline();
    await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    const early: string[] = [];
    // Act
    await pipeline.run({
      duplicate: true,
      afterDelivery: async (delivered) => {
        syncDue();
        const job = await pipeline.job(delivered.message.jobId);
        const expected = 'expected' in job ? job.expected : undefined;
        for (const queued of pipeline.queue.peek()) {
          const due = expected?.due && queued.message.seq === expected.seq ? Date.parse(expected.due) : 0;
          if (queued.visibleAt < due) early.push(`${queued.queue} seq ${queued.message.seq}`);
        }
      },
    });
    // Assess
    expect(early).toEqual([]);
    // Only the final event of the ended job is emitted again; no stage message is re-sent.
    const reemits = pipeline.log.lines.filter((line) => line.message.startsWith('re-emitting'));
    expect(reemits.map((line) => line.attributes?.next)).toEqual([undefined]);
  });
});

describe('stage runner after a crash between its commit and its send', () => {
  it('re-sends the next message once it is overdue, and the job still completes', async () => {
    // Prepare: check-backup commits, then its send fails (the worker dies)
    const { pipeline } = await slowCatalogPipeline();
    const { job } = await pipeline.create({ cluster: 'prod-1', targetVersion: '4.2.1' });
    await pipeline.deliverNext(); // validate -> checking-backup
    const message = pipeline.queue.take()?.message;
    if (!message) throw new Error('set-up');
    pipeline.queue.failNextSend(new Error('connection reset'));
    await expect(pipeline.stages['check-backup']?.(message)).rejects.toThrow('connection reset');
    const committedAt = pipeline.clock.now().getTime();
    // Act: the queue redelivers the message at once, then drains
    await pipeline.stages['check-backup']?.(message);
    const parked = pipeline.queue.peek();
    await pipeline.run({ afterDelivery: () => undefined, maxDeliveries: 500 });
    // Assess: parked for the claim lease (60 s), then re-emitted, then the upgrade went on
    expect(parked).toMatchObject([{ queue: 'check-backup', message: { id: message.id }, delaySeconds: 60 }]);
    expect(parked[0]?.visibleAt).toBe(committedAt + 60_000);
    const reemits = pipeline.log.lines.filter((line) => line.message.startsWith('re-emitting'));
    expect(reemits).toHaveLength(1);
    expect((await pipeline.job(job.id)).state).not.toBe('checking-backup');
  });

  it('re-sends a delayed first look when it falls due, not at once', async () => {
    // Prepare: upload commits its move to patching (first look in 300 s), then its send fails
    const { pipeline, syncDue } = await slowCatalogPipeline();
    const learned = { 'patch-subscription': 300 };
    const { job } = await pipeline.create({
      cluster: 'prod-1',
      targetVersion: '4.2.1',
      expectedWaits: learned,
    });
    await pipeline.deliverNext(); // validate -> checking-backup
    await pipeline.deliverNext(); // check-backup -> uploading
    const message = pipeline.queue.take()?.message;
    if (message?.stage !== 'upload-package') throw new Error('set-up');
    pipeline.queue.failNextSend(new Error('connection reset'));
    await expect(pipeline.stages['upload-package']?.(message)).rejects.toThrow('connection reset');
    const committed = await pipeline.job(job.id);
    // Act: the queue redelivers the upload message at once
    await pipeline.stages['upload-package']?.(message);
    const parked = pipeline.queue.peek();
    await pipeline.run({ afterDelivery: syncDue, maxDeliveries: 500 });
    // Assess
    expect(committed.state).toBe('patching');
    expect(committed.step?.waitingFor).toMatch(/^the first look, 5m in/);
    expect(parked).toMatchObject([{ queue: 'upload-package', message: { id: message.id } }]);
    // Parked until the look is overdue: its due time plus the claim lease (60 s).
    expect(parked[0]?.visibleAt).toBe(Date.parse(committed.expected?.due ?? '') + 60_000);
    expect((await pipeline.job(job.id)).state).toBe('succeeded');
  });
});
