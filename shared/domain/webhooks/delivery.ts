/**
 * One event on its way to one receiver, and the rules of its attempts. A delivery is created once
 * per event and receiver (its id derives from both, so a redelivered notify message creates
 * nothing new); each attempt is one signed POST, recorded with its status code or error and
 * latency. A 2xx within the timeout ends it; anything else retries with exponential backoff and
 * jitter until 24 hours after it was created, then it has failed (our dead letters: listed and
 * redeliverable through the API). A 410 Gone means the receiver asks to be left alone: no retry,
 * and its endpoint is disabled. Pure: the delivery consumer does the I/O.
 */
import * as z from 'zod';
import { type Backoff, backoffSeconds } from '#domain/job-progress.ts';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'abandoned'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const attemptSchema = z.object({
  number: z.number().int().positive(),
  at: z.iso.datetime(),
  /** The queue message that made it; a redelivered copy of that message re-sends the next one. */
  messageId: z.string(),
  statusCode: z.number().int().optional(),
  error: z.string().optional(),
  latencyMs: z.number().min(0),
});
export type Attempt = z.infer<typeof attemptSchema>;

export const deliverySchema = z.object({
  id: z.string().min(1),
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  /** A registered endpoint (its secrets sign), or the job's callbackUrl (the callback secret signs). */
  endpointId: z.string().optional(),
  url: z.string(),
  /** The exact body the signatures cover. */
  body: z.string(),
  createdAt: z.iso.datetime(),
  /** Set by a redelivery on request: the retry window starts again from here. */
  reopenedAt: z.iso.datetime().optional(),
  status: z.enum(DELIVERY_STATUSES),
  /** Why a delivery failed or was abandoned. */
  reason: z.string().optional(),
  attempts: z.array(attemptSchema),
  nextAttemptAt: z.iso.datetime().optional(),
  version: z.number().int().min(0),
});
export type Delivery = z.infer<typeof deliverySchema>;

/** What the queue carries: which delivery, and which attempt this message makes. */
export const deliveryMessageSchema = z.object({
  deliveryId: z.string().min(1),
  attempt: z.number().int().positive(),
  id: z.string().min(1),
});
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

export interface RetryPolicy extends Backoff {
  /** An answer later than this is a failed attempt (the connection is dropped). */
  timeoutSeconds: number;
  /** No attempt starts later than this after the delivery was created. */
  giveUpAfterSeconds: number;
}

/** 30 s, 1 m, 2 m ... doubling to 4 h between attempts, each spread by +-25%, for 24 hours. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  timeoutSeconds: 10,
  baseSeconds: 30,
  maxSeconds: 4 * 3600,
  giveUpAfterSeconds: 24 * 3600,
};

export type AttemptOutcome =
  | { statusCode: number; latencyMs: number }
  /** No answer: refused, reset, timed out, or an address the outbound rules refuse (`refused`). */
  | { error: string; latencyMs: number; refused?: true };

/** What the consumer does after an attempt was recorded. */
export type NextStep =
  | { kind: 'retry'; delaySeconds: number }
  | { kind: 'succeeded' }
  | { kind: 'failed' }
  /** 410 Gone: the endpoint is disabled. */
  | { kind: 'gone' };

/** A message for a delivery: process it, re-send the next one (the crash after a commit), or drop it. */
export function classifyMessage(delivery: Delivery, message: DeliveryMessage): 'process' | 'reemit' | 'drop' {
  const done = delivery.attempts.length;
  if (delivery.status !== 'pending') return 'drop';
  if (message.attempt === done + 1) return 'process';
  const last = delivery.attempts.at(-1);
  // The very message behind the last commit came back: its successor may never have been sent.
  if (message.attempt === done && last?.messageId === message.id) return 'reemit';
  return 'drop';
}

function describe(outcome: AttemptOutcome): string {
  return 'statusCode' in outcome ? `HTTP ${outcome.statusCode}` : outcome.error;
}

export interface AttemptContext {
  now: Date;
  messageId: string;
  /** In [0, 1): spreads the retry delay. */
  random: number;
  policy?: RetryPolicy;
}

/** The delivery with this attempt recorded, and what follows from it. */
export function afterAttempt(
  delivery: Delivery,
  outcome: AttemptOutcome,
  context: AttemptContext,
): { delivery: Delivery; next: NextStep } {
  const policy = context.policy ?? DEFAULT_RETRY_POLICY;
  const attempt: Attempt = {
    number: delivery.attempts.length + 1,
    at: context.now.toISOString(),
    messageId: context.messageId,
    ...('statusCode' in outcome ? { statusCode: outcome.statusCode } : { error: outcome.error }),
    latencyMs: Math.round(outcome.latencyMs),
  };
  const { nextAttemptAt: _, ...rest } = delivery;
  const recorded = { ...rest, attempts: [...delivery.attempts, attempt], version: delivery.version + 1 };
  const end = (status: DeliveryStatus, next: NextStep, reason?: string) => ({
    delivery: { ...recorded, status, ...(reason ? { reason } : {}) },
    next,
  });
  if ('statusCode' in outcome && outcome.statusCode >= 200 && outcome.statusCode < 300) {
    return end('succeeded', { kind: 'succeeded' });
  }
  if ('statusCode' in outcome && outcome.statusCode === 410) {
    return end('abandoned', { kind: 'gone' }, 'the receiver answered 410 Gone: its endpoint is disabled');
  }
  if ('refused' in outcome) return end('failed', { kind: 'failed' }, outcome.error);
  const delaySeconds = Math.round(backoffSeconds(policy, attempt.number, context.random));
  const nextAt = context.now.getTime() + delaySeconds * 1000;
  const windowStart = Date.parse(delivery.reopenedAt ?? delivery.createdAt);
  if (nextAt > windowStart + policy.giveUpAfterSeconds * 1000) {
    const hours = policy.giveUpAfterSeconds / 3600;
    return end(
      'failed',
      { kind: 'failed' },
      `no 2xx answer in ${attempt.number} attempts over ${hours} h; last: ${describe(outcome)}`,
    );
  }
  return {
    delivery: { ...recorded, nextAttemptAt: new Date(nextAt).toISOString() },
    next: { kind: 'retry', delaySeconds },
  };
}

/** The delivery made pending again for a redelivery on request (the same event id and body). */
export function reopened(delivery: Delivery, now: Date): Delivery {
  const { reason: _, ...rest } = delivery;
  return { ...rest, status: 'pending', reopenedAt: now.toISOString(), version: delivery.version + 1 };
}
