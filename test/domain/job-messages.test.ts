import { describe, expect, it } from 'vitest';
import type { PlannedJob } from '#domain/job.ts';
import { classifyMessage } from '#domain/job-messages.ts';
import { recordWait } from '#domain/job-progress.ts';
import { transition } from '#domain/job-transitions.ts';
import { testCatalog } from '#test/fakes/catalog.ts';
import { jobAt } from '#test/fakes/jobs.ts';

const at = new Date('2026-03-01T12:00:00Z');
const catalog = testCatalog();
/** A minute and a second after the commits below: the next message is overdue. */
const later = { now: new Date(at.getTime() + 61_000), graceSeconds: 60 };

function uploading(): PlannedJob {
  return jobAt('uploading', { catalog, cluster: 'c1', from: '3.18.2', to: '4.2.1', platform: '4.0.0', at });
}

describe('classifying stage messages', () => {
  it('processes the expected message', () => {
    // Prepare
    const job = uploading();
    // Act
    const disposition = classifyMessage(
      job,
      { stage: 'upload-package', hop: 0, seq: job.version, id: 'a' },
      later,
    );
    // Assess
    expect(disposition).toEqual({ action: 'process' });
  });

  it('drops a message of another stage, hop or seq as stale', () => {
    // Prepare
    const job = uploading();
    // Act
    const results = [
      classifyMessage(job, { stage: 'check-backup', hop: 0, seq: job.version }, later),
      classifyMessage(job, { stage: 'upload-package', hop: 1, seq: job.version }, later),
      classifyMessage(job, { stage: 'upload-package', hop: 0, seq: job.version - 1 }, later),
      classifyMessage(job, { stage: 'upload-package', hop: 0, seq: job.version + 1 }, later),
    ];
    // Assess
    for (const result of results)
      expect(result).toMatchObject({ action: 'drop', why: expect.stringContaining('stale') });
  });

  it('re-emits the next message on a redelivery of the message behind the latest commit', () => {
    // Prepare: the upload message (id m1) moved the job to patching, then the worker crashed
    const job = uploading();
    const message = { stage: 'upload-package' as const, hop: 0, seq: job.version, id: 'm1' };
    const next = transition(job, 'patching', { at, cause: message });
    // Act
    const disposition = classifyMessage(next, message, later);
    // Assess
    expect(disposition).toEqual({
      action: 'reemit',
      message: { stage: 'patch-subscription', hop: 0, seq: next.version },
    });
  });

  it('parks a copy of the message behind the latest commit until the next message is overdue', () => {
    // Prepare: p1 moved the job to verifying, whose first poll is due in 30 s
    const job = transition(uploading(), 'patching', { at });
    const message = { stage: 'patch-subscription' as const, hop: 0, seq: job.version, id: 'p1' };
    const moved = transition(job, 'verifying', { at, cause: message });
    const waiting = {
      ...moved,
      expected: { ...moved.expected, due: new Date(at.getTime() + 30_000).toISOString() },
    };
    // Act
    const early = classifyMessage(waiting, message, { now: at, graceSeconds: 60 });
    const beforeDue = classifyMessage(moved, message, {
      now: new Date(at.getTime() + 59_000),
      graceSeconds: 60,
    });
    const overdue = classifyMessage(waiting, message, {
      now: new Date(at.getTime() + 90_000),
      graceSeconds: 60,
    });
    // Assess: due + grace, or the last write + grace when that is later
    expect(early).toEqual({ action: 'park', delaySeconds: 90 });
    expect(beforeDue).toEqual({ action: 'park', delaySeconds: 1 });
    expect(overdue).toMatchObject({
      action: 'reemit',
      message: { stage: 'verify', hop: 0, seq: moved.version },
    });
  });

  it('drops a copy the handler re-emitted itself once the job has moved on (duplicates die out)', () => {
    // Prepare: patch message p1 moved the job; p2 was a re-emitted copy of the same step
    const job = transition(uploading(), 'patching', { at });
    const original = { stage: 'patch-subscription' as const, hop: 0, seq: job.version, id: 'p1' };
    const copy = { ...original, id: 'p2' };
    const moved = transition(job, 'verifying', { at, cause: original });
    // Act
    const disposition = classifyMessage(moved, copy, later);
    // Assess
    expect(disposition.action).toBe('drop');
  });

  it('falls back to matching stage, hop and seq when the queue lost the ids', () => {
    // Prepare
    const job = uploading();
    const message = { stage: 'upload-package' as const, hop: 0, seq: job.version };
    const next = transition(job, 'patching', { at, cause: { ...message, id: 'm1' } });
    // Act
    const disposition = classifyMessage(next, message, later);
    // Assess
    expect(disposition.action).toBe('reemit');
  });

  it('treats a wait as a new step: the older poll message is stale, the new one is expected', () => {
    // Prepare
    const job = uploading();
    const poll = { stage: 'upload-package' as const, hop: 0, seq: job.version, id: 'w1' };
    const waited = recordWait(job, { at, reason: 'ArtifactVersion not yet Success', cause: poll });
    // Act
    const next = classifyMessage(waited, { ...poll, seq: waited.version, id: 'w2' }, later);
    const older = classifyMessage(waited, { ...poll, id: 'other' }, later);
    // Assess
    expect(next).toEqual({ action: 'process' });
    expect(older.action).toBe('drop');
  });

  it('drops messages for an ended job, re-emitting only for the message that ended it', () => {
    // Prepare
    const job = uploading();
    const message = { stage: 'upload-package' as const, hop: 0, seq: job.version, id: 'm1' };
    const failed = transition(job, 'failed', { at, reason: 'checksum', cause: message });
    // Act
    const redelivered = classifyMessage(failed, message, later);
    const other = classifyMessage(failed, { ...message, id: 'm9' }, later);
    // Assess
    expect(redelivered).toEqual({ action: 'reemit' });
    expect(other).toEqual({ action: 'drop', why: 'job already failed' });
  });
});
