/**
 * Notifier for the stage functions: every job event goes to the notify queue, where the notify
 * function records it (and, later, delivers webhooks with retries). Event ids are stable, so a
 * re-sent event is deduplicated downstream.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { ValidationError } from '#domain/errors.ts';
import type { JobEvent, Notifier } from '#shared/ports.ts';
import { mapAwsError } from './aws-errors.ts';

const jobEventBody = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  occurredAt: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
});

export class SqsNotifier implements Notifier {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async emit(event: JobEvent): Promise<void> {
    try {
      await this.#client.send(
        new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(event) }),
      );
    } catch (error) {
      throw mapAwsError(error, `send event ${event.type} ${event.id}`);
    }
  }
}

export function parseJobEventRecord(body: string): JobEvent {
  const parsed = jobEventBody.safeParse(JSON.parse(body));
  if (!parsed.success) {
    throw new ValidationError(`job event body is malformed: ${z.prettifyError(parsed.error)}`, {
      code: 'BAD_MESSAGE',
    });
  }
  return parsed.data;
}
