import { readdir } from 'node:fs/promises';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGE_NAMES, type StageName } from '#domain/job.ts';
import { type ConsumerRow, QUEUE_NAMES } from '#usecases/consumer-row.ts';
import { API, CONSUMERS } from '#usecases/consumers.ts';
import { parseStackConfig } from '../../infra/stack-config.ts';
import { synthStack } from './synth.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON has no static type
type Cfn = any;
type Resources = Record<string, { Type: string; Properties: Record<string, Cfn> }>;

let template: Template;
let resources: Resources;

beforeAll(() => {
  template = synthStack({
    stageTimeoutSeconds: 45,
    uploadTimeoutSeconds: 300,
    maxConcurrency: 7,
    outboundAllow: '127.0.0.1 sim.internal',
    idempotencyTtlSeconds: 3600,
    rolloutPolicies: [
      { name: 'prod', versions: '^4.1.0', selector: { matchLabels: { env: 'prod' } }, strategy: {} },
    ],
  }).template;
  resources = template.toJSON().Resources as Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

/** Resolves the Ref / Fn::GetAtt a policy or mapping uses back to the logical id it names. */
const refId = (value: Cfn): string => value?.Ref ?? value?.['Fn::GetAtt']?.[0];
const pascal = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_: string, __: string, letter: string) => letter.toUpperCase());

const functionIdOf = (name: string) =>
  Object.entries(resources).find(
    ([, resource]) =>
      resource.Type === 'AWS::Lambda::Function' &&
      resource.Properties.Environment.Variables.POWERTOOLS_METRICS_FUNCTION_NAME === name,
  )?.[0] ?? '';
const environmentOf = (name: string): Record<string, Cfn> =>
  resources[functionIdOf(name)]?.Properties.Environment.Variables ?? {};
const queueIdOf = (name: string) =>
  Object.entries(resources).find(
    ([id, resource]) =>
      resource.Type === 'AWS::SQS::Queue' && new RegExp(`^${pascal(name)}Queue[0-9A-F]{8}$`).test(id),
  )?.[0];
const statementsOf = (name: string): Cfn[] => {
  const roleId = refId(resources[functionIdOf(name)]?.Properties.Role);
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: Cfn) => refId(role) === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
};
const actionsOf = (name: string): string[] =>
  statementsOf(name).flatMap((statement: Cfn) => [statement.Action].flat());
const sendsOf = (name: string): (string | undefined)[] =>
  statementsOf(name)
    .filter((statement: Cfn) => statement.Action === 'sqs:SendMessage')
    .map((statement: Cfn) => refId(statement.Resource))
    .sort();

describe('queues', () => {
  it('has a queue per stage plus notify, rollout and webhook-delivery, each with its own DLQ after 5 receives, SSE and TLS-only', () => {
    const queues = ofType('AWS::SQS::Queue');
    const withDlq = queues.filter(([, queue]) => queue.Properties.RedrivePolicy);
    const dlqIds = new Set(
      withDlq.map(([, queue]) => refId(queue.Properties.RedrivePolicy.deadLetterTargetArn)),
    );

    expect(withDlq).toHaveLength(8);
    expect(dlqIds.size).toBe(8);
    expect(queues).toHaveLength(16);
    for (const [, queue] of withDlq) expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
    for (const [, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const tlsOnly = ofType('AWS::SQS::QueuePolicy').filter(([, policy]) =>
      policy.Properties.PolicyDocument.Statement.some(
        (statement: Cfn) =>
          statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    );
    expect(tlsOnly).toHaveLength(16);
  });

  it('gives every consumed queue a visibility timeout of at least 6x its function timeout', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');

    expect(mappings).toHaveLength(8);
    for (const [, mapping] of mappings) {
      const fn = resources[refId(mapping.Properties.FunctionName)];
      const queue = resources[refId(mapping.Properties.EventSourceArn)];
      expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn?.Properties.Timeout);
    }
  });

  it('reports batch item failures on every event source, with the maxConcurrency knob', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');

    for (const [, mapping] of mappings) {
      expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(mapping.Properties.ScalingConfig).toEqual({ MaximumConcurrency: 7 });
    }
  });

  it('alarms on every DLQ depth and every function error, into the alarm topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    const dlqAlarms = alarms.filter(
      ([, alarm]) => alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    const errorAlarms = alarms.filter(([, alarm]) => alarm.Properties.MetricName === 'Errors');

    expect(dlqAlarms).toHaveLength(8);
    expect(errorAlarms).toHaveLength(9);
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });
});

describe('functions', () => {
  it('runs nine functions on nodejs24.x arm64 with tracing and retained logs', () => {
    const functions = ofType('AWS::Lambda::Function');

    expect(functions).toHaveLength(9);
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    for (const [, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('grants only named actions (no wildcard actions) and sends only to the queues each stage uses', () => {
    const policies = ofType('AWS::IAM::Policy');
    const actions = policies.flatMap(([, policy]) =>
      policy.Properties.PolicyDocument.Statement.flatMap((statement: Cfn) => [statement.Action].flat()),
    );

    expect(actions.filter((action: string) => action.includes('*'))).toEqual([]);
    const validateEnv = Object.values(resources).find(
      (resource) =>
        resource.Properties?.Environment?.Variables?.POWERTOOLS_METRICS_FUNCTION_NAME === 'validate',
    )?.Properties.Environment.Variables;
    const queueVariables = Object.keys(validateEnv ?? {}).filter((name) =>
      name.startsWith('UPGRADER_QUEUE_URL_'),
    );
    expect(queueVariables.sort()).toEqual(
      [
        'UPGRADER_QUEUE_URL_CHECK_BACKUP',
        'UPGRADER_QUEUE_URL_NOTIFY',
        'UPGRADER_QUEUE_URL_ROLLOUT',
        'UPGRADER_QUEUE_URL_VALIDATE',
      ].sort(),
    );
    expect(CONSUMERS.validate.sends).toEqual(['validate', 'check-backup', 'notify', 'rollout']);
  });

  it('lets each stage send to exactly its own queue, the next stage, notify and rollout (a batch’s job’s end)', () => {
    // The pipeline's order, stated here independently of the consumer table it checks.
    const next: Record<StageName, StageName> = {
      validate: 'check-backup',
      'check-backup': 'upload-package',
      'upload-package': 'patch-subscription',
      'patch-subscription': 'verify',
      verify: 'upload-package',
    };

    for (const stage of STAGE_NAMES) {
      expect(sendsOf(stage), stage).toEqual([stage, next[stage], 'notify', 'rollout'].map(queueIdOf).sort());
    }
  });

  it('gives the outbound rules to the functions that check or send webhooks, the Idempotency-Key lifetime and rollout policies to the API', () => {
    const settingOf = (variable: string) =>
      Object.values(resources)
        .filter((resource) => resource.Properties?.Environment?.Variables?.[variable])
        .map((resource) => [
          resource.Properties.Environment.Variables.POWERTOOLS_METRICS_FUNCTION_NAME,
          resource.Properties.Environment.Variables[variable],
        ]);

    expect(settingOf('UPGRADER_OUTBOUND_ALLOW').sort()).toEqual([
      ['api', '127.0.0.1/32,sim.internal'],
      ['webhook-delivery', '127.0.0.1/32,sim.internal'],
    ]);
    expect(settingOf('UPGRADER_OUTBOUND_ALLOW_HTTP')).toEqual([]);
    expect(settingOf('UPGRADER_IDEMPOTENCY_TTL_SECONDS')).toEqual([['api', '3600']]);
    const [[holder, policies] = []] = settingOf('UPGRADER_ROLLOUT_POLICIES');
    expect(holder).toBe('api');
    expect(JSON.parse(policies)).toMatchObject([{ name: 'prod', versions: '^4.1.0' }]);
    expect(settingOf('UPGRADER_ROLLOUT_POLICIES')).toHaveLength(1);
  });

  it('gives the bucket only to the functions that read the catalog or store artifacts', () => {
    const withBucket = Object.values(resources)
      .filter((resource) => resource.Properties?.Environment?.Variables?.UPGRADER_BUCKET_NAME)
      .map((resource) => resource.Properties.Environment.Variables.POWERTOOLS_METRICS_FUNCTION_NAME)
      .sort();

    expect(withBucket).toEqual(['api', 'patch-subscription', 'rollout', 'upload-package', 'validate']);
  });
});

describe('derived from the consumer table', () => {
  const rows = QUEUE_NAMES.map((name): [string, ConsumerRow<object>] => [name, CONSUMERS[name]]);

  it('has one function per row plus the API, each with its functions/<name>/handler.ts', async () => {
    const entries = await readdir(new URL('../../functions/', import.meta.url));

    expect(entries.sort()).toEqual(['api', ...QUEUE_NAMES].sort());
    for (const name of entries) expect(functionIdOf(name), name).not.toBe('');
  });

  it('lets each function send to exactly the queues its row lists, the API to every stage, notify and rollout', () => {
    for (const [name, row] of [...rows, ['api', API] as const]) {
      expect(sendsOf(name), name).toEqual(row.sends.map(queueIdOf).sort());
      const variables = Object.keys(environmentOf(name)).filter((v) => v.startsWith('UPGRADER_QUEUE_URL_'));
      expect(variables, name).toHaveLength(row.sends.length);
    }
    expect(API.sends).toEqual([...STAGE_NAMES, 'notify', 'rollout', 'webhook-delivery']);
  });

  it('has every row consume its own queue, with the timeout of its class', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, mapping]) => [
      refId(mapping.Properties.FunctionName),
      refId(mapping.Properties.EventSourceArn),
    ]);

    expect(mappings.sort()).toEqual(rows.map(([name]) => [functionIdOf(name), queueIdOf(name)]).sort());
    for (const [name, row] of rows) {
      const fn = resources[functionIdOf(name)]?.Properties;
      expect(fn?.Timeout, name).toBe(row.timeout === 'upload' ? 300 : 45);
      expect(fn?.EphemeralStorage !== undefined, name).toBe(row.timeout === 'upload');
    }
  });

  it('lets the upload and rollout queues gather batches: a push run to a platform, a burst of job ends', () => {
    const mappings = Object.fromEntries(
      ofType('AWS::Lambda::EventSourceMapping').map(([, mapping]) => [
        refId(mapping.Properties.FunctionName),
        mapping.Properties,
      ]),
    );

    for (const [name, row] of rows) {
      const mapping = mappings[functionIdOf(name)];
      const gathers = row.gathersPushes || row.gathersWakes;
      expect(mapping?.MaximumBatchingWindowInSeconds, name).toBe(gathers ? 5 : undefined);
      expect(mapping?.BatchSize, name).toBe(gathers ? 100 : 10);
    }
  });

  it('refuses an upload or rollout batch above 10 without a batching window, naming both settings', () => {
    expect(() => parseStackConfig({ uploadBatchSize: 50, uploadBatchingWindowSeconds: 0 })).toThrow(
      /uploadBatchSize: 50 needs uploadBatchingWindowSeconds of at least 1/,
    );
    expect(() => parseStackConfig({ rolloutBatchSize: 20, rolloutBatchingWindowSeconds: 0 })).toThrow(
      /rolloutBatchSize: 20 needs rolloutBatchingWindowSeconds of at least 1/,
    );
  });

  it('binds what each row needs and nothing else', () => {
    for (const [name, row] of rows) {
      const env = environmentOf(name);
      const actions = actionsOf(name);
      expect('UPGRADER_CATALOG_KEY' in env, `${name} catalog`).toBe(row.needs.catalog === true);
      expect(actions.includes('s3:PutObject'), `${name} artifacts`).toBe(row.needs.artifacts === 'readWrite');
      expect(actions.includes('secretsmanager:GetSecretValue'), `${name} secrets`).toBe(
        row.needs.kubeconfigs === true || row.needs.webhookSigning === true,
      );
      expect('UPGRADER_WEBHOOK_SECRET_PREFIX' in env, `${name} webhook secrets`).toBe(
        row.needs.webhookSigning === true,
      );
      expect('UPGRADER_CALLBACK_SECRET_ARN' in env, `${name} callback secret`).toBe(
        row.needs.webhookSigning === true,
      );
      expect('UPGRADER_KUBECONFIG_TTL_SECONDS' in env, `${name} kubeconfigs`).toBe(
        row.needs.kubeconfigs === true,
      );
      expect('UPGRADER_VIOLET_PATH' in env, `${name} violet`).toBe(row.needs.violet === true);
      // The push stops 30 s before the 300 s upload function would, so its outcome is committed.
      expect(env.UPGRADER_VIOLET_TIMEOUT_SECONDS, `${name} violet`).toBe(
        row.needs.violet === true ? '270' : undefined,
      );
      expect('UPGRADER_EVENT_RETENTION_DAYS' in env, `${name} deliveries`).toBe(
        row.needs.webhookStore === true,
      );
    }
  });

  it('has every function that writes webhook deliveries keep them as long as notify does', () => {
    // The API rewrites one on a redelivery.
    const writers = [...rows, ['api', API] as const]
      .filter(([, row]) => 'webhookStore' in row.needs)
      .map(([name]) => name);

    expect(writers.sort()).toEqual(['api', 'notify', 'rollout', 'webhook-delivery']);
    for (const name of writers) {
      expect(environmentOf(name).UPGRADER_EVENT_RETENTION_DAYS, name).toBe(
        environmentOf('notify').UPGRADER_EVENT_RETENTION_DAYS,
      );
    }
  });
});

describe('webhook secrets', () => {
  const secretActions = (name: string) =>
    statementsOf(name)
      .filter((statement: Cfn) =>
        [statement.Action].flat().some((a: string) => a.startsWith('secretsmanager:')),
      )
      .map((statement: Cfn) => ({
        actions: [statement.Action].flat().sort(),
        resource: JSON.stringify(statement.Resource),
      }));

  it('lets the API read the release secret and write the catalog object back under its folder, alone', () => {
    const withRelease = Object.values(resources)
      .filter((resource) => resource.Properties?.Environment?.Variables?.UPGRADER_RELEASE_SECRET_ARN)
      .map((resource) => resource.Properties.Environment.Variables.POWERTOOLS_METRICS_FUNCTION_NAME);
    const catalogWrites = statementsOf('api').filter(
      (statement: Cfn) =>
        [statement.Action].flat().includes('s3:PutObject') &&
        JSON.stringify(statement.Resource).includes('/catalog/*'),
    );

    expect(withRelease).toEqual(['api']);
    expect(catalogWrites).toHaveLength(1);
    expect(secretActions('api')).toContainEqual({
      actions: ['secretsmanager:GetSecretValue'],
      resource: expect.stringContaining('ReleaseSigningSecret'),
    });
  });

  it('lets the API manage endpoint secrets under the prefix', () => {
    expect(secretActions('api')).toContainEqual({
      actions: [
        'secretsmanager:CreateSecret',
        'secretsmanager:DeleteSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
      ],
      resource: expect.stringContaining('secret:redis-upgrader/webhooks/*'),
    });
  });

  it('lets the delivery function read endpoint secrets under the prefix and the generated callback secret, nothing else', () => {
    const statements = secretActions('webhook-delivery');
    expect(statements).toEqual([
      {
        actions: ['secretsmanager:GetSecretValue'],
        resource: expect.stringContaining('secret:redis-upgrader/webhooks/*'),
      },
      {
        actions: ['secretsmanager:GetSecretValue'],
        resource: expect.stringContaining('CallbackSigningSecret'),
      },
    ]);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ ExcludePunctuation: true, PasswordLength: 44 }),
    });
  });
});

describe('data', () => {
  it('blocks public access to the artifact bucket, encrypts, versions, logs access and expires old objects', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({}),
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts-bucket/' }),
      LifecycleConfiguration: Match.objectLike({
        Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]),
      }),
    });
  });

  it('keeps jobs in an on-demand table with PITR, TTL, encryption and the three job indexes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'byCluster' }),
        Match.objectLike({ IndexName: 'byState' }),
        Match.objectLike({ IndexName: 'byBatch' }),
      ],
    });
  });
});

describe('api', () => {
  it('uses the IAM authorizer by default, leaves only the public operations open, throttles and logs access', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    const open = routes.filter((route) => route.AuthorizationType === 'NONE').map((route) => route.RouteKey);

    expect(routes.find((route) => route.RouteKey === 'ANY /{proxy+}')?.AuthorizationType).toBe('AWS_IAM');
    expect(routes.find((route) => route.RouteKey === 'GET /healthz')?.AuthorizationType).toBe('NONE');
    // The release webhook is authenticated by its Standard Webhooks signature instead.
    expect(open.sort()).toEqual(['GET /healthz', 'GET /openapi.json', 'POST /webhooks/releases']);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });
});
