/**
 * The production deployment (DESIGN.md 1, issue 5): the HTTP API, one Lambda per stage chained by
 * SQS, the notify function, DynamoDB for jobs, S3 for artifacts, alarms. Which function may touch
 * what is written down once, in STAGE_SENDS and the bind* calls below.
 */
import { type CfnElement, CfnOutput, Duration, Stack, type StackProps, Token } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct, IConstruct } from 'constructs';
import { AWS_ENV, queueUrlVariable } from '#adapters/aws/aws-env.ts';
import { STAGE_NAMES, type StageName } from '#domain/job.ts';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { bindBucket, bindKubeconfigSecrets, bindQueue, bindTable } from './constructs/bindings.ts';
import { DataStores } from './constructs/data-stores.ts';
import { acknowledge } from './constructs/nag.ts';
import { StageQueue } from './constructs/stage-queue.ts';
import { UpgraderApi } from './constructs/upgrader-api.ts';
import { UpgraderFunction } from './constructs/upgrader-function.ts';
import { parseStackConfig, type StackConfig, type StackConfigInput } from './stack-config.ts';

/** The queues each stage sends to: its own (waits, retries) and the stage after it. */
export const STAGE_SENDS: Record<StageName, StageName[]> = {
  validate: ['validate', 'check-backup'],
  'check-backup': ['check-backup', 'upload-package'],
  'upload-package': ['upload-package', 'patch-subscription'],
  'patch-subscription': ['patch-subscription', 'verify'],
  // A verified hop that is not the last goes back to upload for the next one.
  verify: ['verify', 'upload-package'],
};

/** Stages whose use case reads the catalog. */
const CATALOG_READERS = new Set<StageName>(['validate', 'upload-package', 'patch-subscription']);

const ARTIFACTS_PREFIX = 'artifacts/';

export interface UpgraderStackProps extends StackProps {
  config?: StackConfigInput | StackConfig;
  /** Tests only: deploy this code instead of bundling each entry with esbuild. */
  codeOverride?: Code;
}

export class UpgraderStack extends Stack {
  readonly config: StackConfig;
  readonly functions = new Map<string, UpgraderFunction>();
  readonly queues = new Map<string, StageQueue>();

  constructor(scope: Construct, id: string, props: UpgraderStackProps = {}) {
    super(scope, id, props);
    const config = parseStackConfig(props.config ?? {});
    this.config = config;
    const alarms = new AlarmTopic(this, 'Alarms', config.alarmEmail ? { email: config.alarmEmail } : {});
    const data = new DataStores(this, 'Data', config);
    const logRetention = config.logRetentionDays;
    const violetLayer = config.violetLayerArn
      ? LayerVersion.fromLayerVersionArn(this, 'VioletLayer', config.violetLayerArn)
      : undefined;

    const makeFunction = (
      name: string,
      timeoutSeconds: number,
      extra: { ephemeralStorageMiB?: number } = {},
    ) => {
      const made = new UpgraderFunction(this, pascal(name), {
        name,
        namePrefix: config.namePrefix,
        timeout: Duration.seconds(timeoutSeconds),
        memoryMiB: config.memoryMiB,
        logRetention,
        ...extra,
        ...(name === 'upload-package' && violetLayer ? { layers: [violetLayer] } : {}),
        ...(props.codeOverride ? { codeOverride: props.codeOverride } : {}),
      });
      this.functions.set(name, made);
      bindTable(made.fn, data.table, AWS_ENV.tableName, 'readWrite');
      new Alarm(made, 'ErrorsAlarm', {
        alarmName: `${config.namePrefix}-${name}-errors`,
        alarmDescription: `The ${name} function failed (unhandled errors, timeouts); see its log group.`,
        metric: made.fn.metricErrors({ period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new SnsAction(alarms.topic));
      return made;
    };

    const queueFor = (name: string, consumerTimeoutSeconds: number) => {
      const queue = new StageQueue(this, `${pascal(name)}Queue`, {
        stage: name,
        namePrefix: config.namePrefix,
        consumerTimeout: Duration.seconds(consumerTimeoutSeconds),
        maxReceiveCount: config.maxReceiveCount,
        alarmTopic: alarms.topic,
      });
      this.queues.set(name, queue);
      return queue;
    };

    const timeoutOf = (stage: StageName) =>
      stage === 'upload-package' ? config.uploadTimeoutSeconds : config.stageTimeoutSeconds;
    for (const stage of STAGE_NAMES) queueFor(stage, timeoutOf(stage));
    const notifyQueue = queueFor('notify', config.stageTimeoutSeconds);
    const stageQueue = (stage: StageName) => (this.queues.get(stage) as StageQueue).queue;

    const consume = (made: UpgraderFunction, queue: StageQueue) =>
      made.fn.addEventSource(
        new SqsEventSource(queue.queue, {
          batchSize: config.batchSize,
          maxConcurrency: config.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );

    for (const stage of STAGE_NAMES) {
      const made = makeFunction(stage, timeoutOf(stage), {
        ...(stage === 'upload-package' ? { ephemeralStorageMiB: config.uploadEphemeralStorageMiB } : {}),
      });
      consume(made, this.queues.get(stage) as StageQueue);
      for (const target of STAGE_SENDS[stage])
        bindQueue(made.fn, stageQueue(target), queueUrlVariable(target));
      bindQueue(made.fn, notifyQueue.queue, AWS_ENV.notifyQueueUrl);
      bindKubeconfigSecrets(made.fn, config.kubeconfigSecretPrefix);
      made.fn.addEnvironment(AWS_ENV.kubeconfigTtlSeconds, String(config.kubeconfigTtlSeconds));
      if (config.pipeline) made.fn.addEnvironment(AWS_ENV.pipelineConfig, JSON.stringify(config.pipeline));
      if (CATALOG_READERS.has(stage)) this.#bindCatalog(made, data);
      if (stage === 'upload-package') {
        bindBucket(made.fn, data.bucket, AWS_ENV.bucketName, 'readWrite', ARTIFACTS_PREFIX);
        made.fn.addEnvironment(AWS_ENV.violetPath, config.violetPath);
      }
    }

    const notify = makeFunction('notify', config.stageTimeoutSeconds);
    consume(notify, notifyQueue);
    notify.fn.addEnvironment(AWS_ENV.eventRetentionDays, String(config.eventRetentionDays));

    const apiFunction = makeFunction('api', config.apiTimeoutSeconds);
    bindQueue(apiFunction.fn, stageQueue('validate'), queueUrlVariable('validate'));
    bindQueue(apiFunction.fn, notifyQueue.queue, AWS_ENV.notifyQueueUrl);
    this.#bindCatalog(apiFunction, data);
    apiFunction.fn.addEnvironment(AWS_ENV.idempotencyTtlSeconds, String(config.idempotencyTtlSeconds));
    if (config.outboundAllow?.entries.length) {
      apiFunction.fn.addEnvironment(AWS_ENV.outboundAllow, config.outboundAllow.entries.join(','));
    }
    const api = new UpgraderApi(this, 'Http', {
      handler: apiFunction.fn,
      ...(config.jwt ? { jwt: config.jwt } : {}),
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
      logRetention,
    });

    this.#acknowledgeIntendedFindings(data);
    new CfnOutput(this, 'ApiUrl', { value: api.url });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'ArtifactBucket', { value: data.bucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
  }

  #bindCatalog(made: UpgraderFunction, data: DataStores): void {
    // The catalog lives beside the artifacts; the key is configurable, its folder is the grant.
    const key = this.config.catalogKey;
    const folder = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : key;
    made.fn.addEnvironment(AWS_ENV.catalogKey, key);
    bindBucket(made.fn, data.bucket, AWS_ENV.bucketName, 'read', folder);
  }

  /** Findings that are intended, each with its reason; anything else fails the cdk-nag test. */
  #acknowledgeIntendedFindings(data: DataStores): void {
    const logicalId = (construct: IConstruct) =>
      this.resolve(this.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
    const table = logicalId(data.table);
    const bucket = logicalId(data.bucket);
    const literal = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
    const region = literal(this.region, 'AWS::Region');
    const account = literal(this.account, 'AWS::AccountId');
    const secrets = `Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${this.config.kubeconfigSecretPrefix}*`;
    const catalogFolder = this.config.catalogKey.slice(0, this.config.catalogKey.lastIndexOf('/') + 1);
    const findings: [string, string][] = [
      ['Resource::*', 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.'],
      [
        `Resource::<${table}.Arn>/index/*`,
        "Query on the job table's GSIs (byCluster, byState, byBatch) needs its index/* ARN.",
      ],
      [
        `Resource::<${bucket}.Arn>/artifacts/*`,
        'Artifact keys (artifacts/<package>/<version>/<file>) are not known at deploy time.',
      ],
      [
        `Resource::<${bucket}.Arn>/${catalogFolder}*`,
        'The catalog folder; object names are chosen at run time.',
      ],
      [
        secrets,
        'Kubeconfig secrets are per cluster, registered at run time, and limited to the configured name prefix.',
      ],
    ];
    for (const made of this.functions.values()) {
      for (const [finding, reason] of findings) acknowledge(made, `AwsSolutions-IAM5[${finding}]`, reason);
    }
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
}
