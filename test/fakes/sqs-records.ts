import type { SQSEvent, SQSRecord } from 'aws-lambda';

/** An SQS record as an event source mapping delivers it, message id `m<index>`. */
export function sqsRecord(body: string, index = 0, queue = 'verify'): SQSRecord {
  return {
    messageId: `m${index}`,
    receiptHandle: `r${index}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local:000000000000:redis-upgrader-${queue}`,
    awsRegion: 'local',
  };
}

export function sqsEvent(bodies: string[], queue?: string): SQSEvent {
  return { Records: bodies.map((body, index) => sqsRecord(body, index, queue)) };
}
