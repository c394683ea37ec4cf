/**
 * The production deployment (docs/architecture.md §8): the HTTP API and, per row of the consumer
 * table (#usecases/consumers.ts), a queue with its DLQ and the function consuming it; DynamoDB
 * for jobs, S3 for artifacts, alarms. Nothing here names a stage: each function gets exactly the
 * environment and grants its row's `sends` and `needs` call for (the bind* calls in #bind).
 */
import { type CfnElement, CfnOutput, Duration, Stack, type StackProps, Token } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type Code, type ILayerVersion, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct, IConstruct } from 'constructs';
import { AWS_ENV, queueUrlVariable, VIOLET_COMMIT_MARGIN_SECONDS } from '#adapters/aws/aws-env.ts';
import { CONSOLE_DIST } from '#runtime/console-site.ts';
import {
  type ConsumerRow,
  type Needs,
  QUEUE_NAMES,
  type QueueName,
  type TimeoutClass,
} from '#usecases/consumer-row.ts';
import { API, CONSUMERS } from '#usecases/consumers.ts';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import {
  bindBucket,
  bindKubeconfigSecrets,
  bindQueue,
  bindSecret,
  bindTable,
  bindWebhookSecrets,
} from './constructs/bindings.ts';
import { ConsoleSite } from './constructs/console-site.ts';
import { ConsumerQueue } from './constructs/consumer-queue.ts';
import { DataStores } from './constructs/data-stores.ts';
import { acknowledge } from './constructs/nag.ts';
import { UpgraderApi } from './constructs/upgrader-api.ts';
import { UpgraderFunction } from './constructs/upgrader-function.ts';
import { catalogFolder, parseStackConfig, type StackConfig, type StackConfigInput } from './stack-config.ts';

const ARTIFACTS_PREFIX = 'artifacts/';

export interface UpgraderStackProps extends StackProps {
  config?: StackConfigInput | StackConfig;
  /** Tests only: deploy this code instead of bundling each entry with esbuild. */
  codeOverride?: Code;
}

export class UpgraderStack extends Stack {
  readonly config: StackConfig;
  readonly functions = new Map<string, UpgraderFunction>();
  readonly queues = new Map<QueueName, ConsumerQueue>();
  readonly #alarms: AlarmTopic;
  readonly #data: DataStores;
  readonly #violetLayer: ILayerVersion | undefined;
  readonly #callbackSecret: Secret;
  readonly #codeOverride: Code | undefined;

  constructor(scope: Construct, id: string, props: UpgraderStackProps = {}) {
    super(scope, id, props);
    const config = parseStackConfig(props.config ?? {});
    this.config = config;
    this.#codeOverride = props.codeOverride;
    this.#alarms = new AlarmTopic(this, 'Alarms', config.alarmEmail ? { email: config.alarmEmail } : {});
    this.#data = new DataStores(this, 'Data', config);
    this.#violetLayer = config.violetLayerArn
      ? LayerVersion.fromLayerVersionArn(this, 'VioletLayer', config.violetLayerArn)
      : undefined;
    // Signs deliveries to callback URLs; operators read it from Secrets Manager to verify them.
    this.#callbackSecret = new Secret(this, 'CallbackSigningSecret', {
      description: 'Standard Webhooks secret signing deliveries to job callback URLs (whsec_ + this value).',
      // Letters and digits only, a multiple of 4 long: a valid base64 key.
      generateSecretString: { excludePunctuation: true, includeSpace: false, passwordLength: 44 },
    });
    acknowledge(
      this.#callbackSecret,
      'AwsSolutions-SMG4',
      'Rotating it breaks receivers; rotate by replacing it.',
    );
    // Every queue first: a row may send to a queue whose row comes later.
    for (const name of QUEUE_NAMES) this.#queue(name);
    for (const name of QUEUE_NAMES) this.#consumer(name);
    const api = this.#api();
    // The console signs in with a bearer token: it is deployed with the JWT authorizer only.
    const site = config.jwt
      ? new ConsoleSite(this, 'Console', {
          api: api.api,
          dist: CONSOLE_DIST,
          logBucket: this.#data.accessLogs,
          retainData: config.retainData,
        })
      : undefined;

    this.#acknowledgeIntendedFindings();
    new CfnOutput(this, 'ApiUrl', { value: api.url });
    if (site)
      new CfnOutput(this, 'ConsoleUrl', { value: `https://${site.distribution.distributionDomainName}/` });
    new CfnOutput(this, 'TableName', { value: this.#data.table.tableName });
    new CfnOutput(this, 'ArtifactBucket', { value: this.#data.bucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.#alarms.topic.topicArn });
  }

  #timeoutSeconds(timeout: TimeoutClass): number {
    return timeout === 'upload' ? this.config.uploadTimeoutSeconds : this.config.stageTimeoutSeconds;
  }

  #queue(name: QueueName): void {
    const queue = new ConsumerQueue(this, `${pascal(name)}Queue`, {
      name,
      namePrefix: this.config.namePrefix,
      consumerTimeout: Duration.seconds(this.#timeoutSeconds(CONSUMERS[name].timeout)),
      maxReceiveCount: this.config.maxReceiveCount,
      alarmTopic: this.#alarms.topic,
    });
    this.queues.set(name, queue);
  }

  #consumer(name: QueueName): void {
    const row: ConsumerRow<object> = CONSUMERS[name];
    const made = this.#function(name, this.#timeoutSeconds(row.timeout), {
      ...(row.timeout === 'upload' ? { ephemeralStorageMiB: this.config.uploadEphemeralStorageMiB } : {}),
      ...(row.needs.violet && this.#violetLayer ? { layers: [this.#violetLayer] } : {}),
    });
    const gathering = row.gathersPushes
      ? { size: this.config.uploadBatchSize, window: this.config.uploadBatchingWindowSeconds }
      : row.gathersWakes
        ? { size: this.config.rolloutBatchSize, window: this.config.rolloutBatchingWindowSeconds }
        : { size: this.config.batchSize, window: 0 };
    made.fn.addEventSource(
      new SqsEventSource(this.#queueOf(name), {
        batchSize: gathering.size,
        maxConcurrency: this.config.maxConcurrency,
        reportBatchItemFailures: true,
        ...(gathering.window > 0 ? { maxBatchingWindow: Duration.seconds(gathering.window) } : {}),
      }),
    );
    this.#bind(made, row);
  }

  #api(): UpgraderApi {
    const made = this.#function('api', this.config.apiTimeoutSeconds);
    this.#bind(made, API);
    made.fn.addEnvironment(AWS_ENV.idempotencyTtlSeconds, String(this.config.idempotencyTtlSeconds));
    bindWebhookSecrets(made.fn, this.config.webhookSecretPrefix, AWS_ENV.webhookSecretPrefix, 'manage');
    this.#bindReleaseWebhook(made);
    made.fn.addEnvironment(
      AWS_ENV.webhookSecretOverlapSeconds,
      String(this.config.webhookSecretOverlapSeconds),
    );
    this.#bindOutbound(made);
    return new UpgraderApi(this, 'Http', {
      handler: made.fn,
      ...(this.config.jwt ? { jwt: this.config.jwt } : {}),
      rateLimit: this.config.apiRateLimit,
      burstLimit: this.config.apiBurstLimit,
      logRetention: this.config.logRetentionDays,
    });
  }

  /** A function of functions/<name>/handler.ts with the job table and an errors alarm. */
  #function(
    name: string,
    timeoutSeconds: number,
    extra: { ephemeralStorageMiB?: number; layers?: ILayerVersion[] } = {},
  ): UpgraderFunction {
    const { config } = this;
    const made = new UpgraderFunction(this, pascal(name), {
      name,
      namePrefix: config.namePrefix,
      timeout: Duration.seconds(timeoutSeconds),
      memoryMiB: config.memoryMiB,
      logRetention: config.logRetentionDays,
      ...extra,
      ...(this.#codeOverride ? { codeOverride: this.#codeOverride } : {}),
    });
    this.functions.set(name, made);
    bindTable(made.fn, this.#data.table, AWS_ENV.tableName, 'readWrite');
    new Alarm(made, 'ErrorsAlarm', {
      alarmName: `${config.namePrefix}-${name}-errors`,
      alarmDescription: `The ${name} function failed (unhandled errors, timeouts); see its log group.`,
      metric: made.fn.metricErrors({ period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(this.#alarms.topic));
    return made;
  }

  /** What a row's `sends` and `needs` call for: environment and grants, bound together. */
  #bind(made: UpgraderFunction, row: { sends: readonly QueueName[]; needs: Needs }): void {
    const { fn } = made;
    const { config } = this;
    for (const target of row.sends) bindQueue(fn, this.#queueOf(target), queueUrlVariable(target));
    const { catalog, kubeconfigs, artifacts, violet, pipeline, webhookStore, webhookSigning } = row.needs;
    if (catalog) this.#bindCatalog(made);
    if (artifacts) bindBucket(fn, this.#data.bucket, AWS_ENV.bucketName, artifacts, ARTIFACTS_PREFIX);
    if (kubeconfigs) {
      bindKubeconfigSecrets(fn, config.kubeconfigSecretPrefix);
      fn.addEnvironment(AWS_ENV.kubeconfigTtlSeconds, String(config.kubeconfigTtlSeconds));
    }
    if (violet) {
      fn.addEnvironment(AWS_ENV.violetPath, config.violetPath);
      // The longest a run may last. Each run also ends by its invocation's end less the margin
      // (#adapters/kube/violet-uploader.ts): the invocation's downloads and waits share its time.
      const pushSeconds = (fn.timeout?.toSeconds() ?? 0) - VIOLET_COMMIT_MARGIN_SECONDS;
      fn.addEnvironment(AWS_ENV.violetTimeoutSeconds, String(pushSeconds));
    }
    // Every function that writes deliveries keeps them as long. The deliveries and the webhook
    // endpoints are items of the job table, which every function reads and writes (#function):
    // neither has a grant of its own.
    if (webhookStore) fn.addEnvironment(AWS_ENV.eventRetentionDays, String(config.eventRetentionDays));
    if (pipeline && config.pipeline)
      fn.addEnvironment(AWS_ENV.pipelineConfig, JSON.stringify(config.pipeline));
    if (webhookSigning) {
      bindWebhookSecrets(fn, config.webhookSecretPrefix, AWS_ENV.webhookSecretPrefix, 'read');
      bindSecret(fn, this.#callbackSecret, AWS_ENV.callbackSecretArn);
      this.#bindOutbound(made);
    }
  }

  /**
   * The release webhook: its signing secret (generated; a release pipeline reads it, or an
   * operator puts two space-separated whsec_ values in it while rotating), and the catalog
   * object written back under its folder.
   */
  #bindReleaseWebhook(made: UpgraderFunction): void {
    const secret = new Secret(this, 'ReleaseSigningSecret', {
      description: 'Standard Webhooks secret(s) verifying POST /webhooks/releases (whsec_ + this value).',
      generateSecretString: { excludePunctuation: true, includeSpace: false, passwordLength: 44 },
    });
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      'The release pipeline holds it too; rotate by putting two values.',
    );
    bindSecret(made.fn, secret, AWS_ENV.releaseSecretArn);
    if (this.config.rolloutPolicies?.length) {
      made.fn.addEnvironment(AWS_ENV.rolloutPolicies, JSON.stringify(this.config.rolloutPolicies));
    }
    const folder = catalogFolder(this.config.catalogKey);
    bindBucket(made.fn, this.#data.bucket, AWS_ENV.bucketName, 'readWrite', folder);
  }

  /** Where webhooks may go: the allow-list and whether plain http is admitted. */
  #bindOutbound(made: UpgraderFunction): void {
    if (this.config.outboundAllow?.entries.length) {
      made.fn.addEnvironment(AWS_ENV.outboundAllow, this.config.outboundAllow.entries.join(','));
    }
    if (this.config.outboundAllowHttp) made.fn.addEnvironment(AWS_ENV.outboundAllowHttp, 'true');
  }

  #queueOf(name: QueueName) {
    const made = this.queues.get(name);
    if (!made) throw new Error(`no queue ${name}: every queue is made before any function`);
    return made.queue;
  }

  #bindCatalog(made: UpgraderFunction): void {
    // The catalog lives beside the artifacts; the key is configurable, its folder is the grant.
    const key = this.config.catalogKey;
    made.fn.addEnvironment(AWS_ENV.catalogKey, key);
    bindBucket(made.fn, this.#data.bucket, AWS_ENV.bucketName, 'read', catalogFolder(key));
  }

  /** Findings that are intended, each with its reason; anything else fails the cdk-nag test. */
  #acknowledgeIntendedFindings(): void {
    const data = this.#data;
    const logicalId = (construct: IConstruct) =>
      this.resolve(this.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
    const table = logicalId(data.table);
    const bucket = logicalId(data.bucket);
    const literal = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
    const region = literal(this.region, 'AWS::Region');
    const account = literal(this.account, 'AWS::AccountId');
    const secretsUnder = (prefix: string) =>
      `Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${prefix}*`;
    const secrets = secretsUnder(this.config.kubeconfigSecretPrefix);
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
        `Resource::<${bucket}.Arn>/${catalogFolder(this.config.catalogKey)}*`,
        'The catalog folder; object names are chosen at run time.',
      ],
      [
        secrets,
        'Kubeconfig secrets are per cluster, registered at run time, and limited to the configured name prefix.',
      ],
      [
        secretsUnder(this.config.webhookSecretPrefix),
        'Webhook endpoint secrets are per endpoint, registered at run time, and limited to the configured name prefix.',
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
