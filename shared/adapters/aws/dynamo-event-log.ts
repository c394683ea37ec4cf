/**
 * The event log on AWS: job events beside their job (pk JOB#<id>), keyed by event id. Events
 * expire through the table's TTL after the retention period, so a finished job's history does not
 * grow the table forever while the job record itself stays.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type JobEvent, jobEventSchema } from '#domain/job-event.ts';
import type { EventLog } from '#shared/ports.ts';
import { AWS_DEFAULTS } from './aws-env.ts';
import { mapAwsError } from './aws-errors.ts';
import { keys, TTL_ATTRIBUTE } from './dynamo-schema.ts';

export interface DynamoEventLogOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  retentionDays?: number;
}

export class DynamoEventLog implements EventLog {
  readonly #options: DynamoEventLogOptions;

  constructor(options: DynamoEventLogOptions) {
    this.#options = options;
  }

  async record(event: JobEvent): Promise<void> {
    const jobId = typeof event.data.jobId === 'string' ? event.data.jobId : 'unassigned';
    const expiresAt =
      Math.floor(Date.parse(event.occurredAt) / 1000) +
      (this.#options.retentionDays ?? AWS_DEFAULTS.eventRetentionDays) * 86_400;
    try {
      // Keyed by the event id, so a redelivered event overwrites itself instead of duplicating.
      await this.#options.client.send(
        new PutCommand({
          TableName: this.#options.tableName,
          Item: { ...keys.event(jobId, event.occurredAt, event.id), event, [TTL_ATTRIBUTE]: expiresAt },
        }),
      );
    } catch (error) {
      throw mapAwsError(error, `record event ${event.type} of job ${jobId}`);
    }
  }

  async forJob(jobId: string): Promise<JobEvent[]> {
    const query = new QueryCommand({
      TableName: this.#options.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.job(jobId).pk, ':prefix': 'EVENT#' },
    });
    const result = await this.#options.client.send(query).catch((error: unknown) => {
      throw mapAwsError(error, `list events of job ${jobId}`);
    });
    return (result.Items ?? []).map((item) => jobEventSchema.parse(item.event));
  }
}
