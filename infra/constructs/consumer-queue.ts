/**
 * One consumer's queue: SSE, TLS-only, a dead-letter queue after `maxReceiveCount` receives, a
 * visibility timeout of six times the consumer's timeout (AWS's guidance for Lambda consumers,
 * so a retried batch is not redelivered while still running), and an alarm on DLQ depth.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { VISIBILITY_PER_TIMEOUT } from '../stack-config.ts';
import { acknowledge } from './nag.ts';

export interface ConsumerQueueProps {
  /** The queue's name in the consumer table (#usecases/consumers.ts). */
  name: string;
  namePrefix: string;
  consumerTimeout: Duration;
  maxReceiveCount: number;
  alarmTopic: ITopic;
}

export class ConsumerQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: ConsumerQueueProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetters,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of a consumer queue.',
    );
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_PER_TIMEOUT),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: props.maxReceiveCount },
    });
    new Alarm(this, 'DeadLettersAlarm', {
      alarmName: `${props.namePrefix}-${props.name}-dead-letters`,
      alarmDescription: `Messages of the ${props.name} queue were dead-lettered (on a stage queue: a job is stuck); inspect and redrive.`,
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(props.alarmTopic));
  }
}
