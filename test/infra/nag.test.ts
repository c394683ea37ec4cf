import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { type Needs, QUEUE_NAMES } from '#usecases/consumer-row.ts';
import { CONSUMERS } from '#usecases/consumers.ts';
import { synthStack } from './synth.ts';

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding on the stack', () => {
    const { app, stack } = synthStack({ alarmEmail: 'sre@example.com' });

    const report = new AwsSolutionsChecks(app).validateScope(stack);

    const findings = report.violations.map(
      (violation) =>
        `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });
});

describe('stack options', () => {
  it('switches the API to a JWT authorizer when an issuer and audience are configured', () => {
    const { template } = synthStack({ jwt: { issuer: 'https://id.example.com/', audience: ['upgrader'] } });

    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://id.example.com/', Audience: ['upgrader'] },
    });
  });

  it('ships the violet layer to the functions whose row needs violet, and to no other', () => {
    const layer = 'arn:aws:lambda:eu-west-1:111111111111:layer:violet:3';
    const { template } = synthStack({ violetLayerArn: layer });

    const withLayer = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((fn) => fn.Properties.Layers)
      .map((fn) => [
        fn.Properties.Environment.Variables.POWERTOOLS_METRICS_FUNCTION_NAME,
        fn.Properties.Layers,
      ]);
    expect(withLayer).toEqual(
      QUEUE_NAMES.filter((name) => (CONSUMERS[name].needs as Needs).violet).map((name) => [name, [layer]]),
    );
    expect(withLayer.map(([name]) => name)).toEqual(['upload-package']);
  });

  it('refuses an invalid context value, naming the key', () => {
    expect(() => synthStack({ maxConcurrency: 1 })).toThrow(/maxConcurrency/);
  });

  it("refuses a claim lease longer than the shortest queue visibility, so a dead worker's claim runs out", () => {
    expect(() => synthStack({ stageTimeoutSeconds: 30, pipeline: { claimLeaseSeconds: 181 } })).toThrow(
      /pipeline\.claimLeaseSeconds: 181 must not exceed the shortest queue visibility timeout \(180 s/,
    );
    expect(() => synthStack({ stageTimeoutSeconds: 30, pipeline: { claimLeaseSeconds: 180 } })).not.toThrow();
  });
});

describe('a catalog key without a folder', () => {
  it('acknowledges the same catalog grant it makes, so cdk-nag (run by synth) passes', () => {
    const { app, stack, template } = synthStack({ catalogKey: 'catalog.json' });

    const report = new AwsSolutionsChecks(app).validateScope(stack);

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    const catalogGrants = JSON.stringify(template.findResources('AWS::IAM::Policy')).match(
      /\/catalog\.json\*/g,
    );
    expect(catalogGrants?.length ?? 0).toBeGreaterThan(0);
  });
});

describe('settings AWS would refuse at deploy fail synth, naming the key', () => {
  it.each([0, 2, 31, 366, 9999])('logRetentionDays %i', (days) => {
    expect(() => synthStack({ logRetentionDays: days })).toThrow(/logRetentionDays: .*1, 3, 5, 7, 14, 30/);
  });

  it.each([1, 14, 400, 3653])('accepts logRetentionDays %i, a CloudWatch Logs retention', (days) => {
    const { template } = synthStack({ logRetentionDays: days });

    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: days });
  });

  it.each([0, 1001])('maxReceiveCount %i (SQS takes 1..1000)', (count) => {
    expect(() => synthStack({ maxReceiveCount: count })).toThrow(/maxReceiveCount/);
  });

  it('accepts maxReceiveCount 1000', () => {
    expect(() => synthStack({ maxReceiveCount: 1000 })).not.toThrow();
  });
});

describe('pipeline overrides', () => {
  it('reach the API too: its estimates, rehearsals and forecasts read them', () => {
    const pipeline = { pollSeconds: { verify: 7 }, stageDeadlinesSeconds: { verify: 1200 } };
    const { template } = synthStack({ pipeline });

    const settings = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => [
      fn.Properties.Environment.Variables.POWERTOOLS_METRICS_FUNCTION_NAME,
      fn.Properties.Environment.Variables.UPGRADER_PIPELINE_CONFIG,
    ]);
    const api = settings.find(([name]) => name === 'api');
    expect(JSON.parse(api?.[1] ?? 'null')).toEqual(pipeline);
    const others = settings.filter(([name, value]) => name !== 'api' && value !== undefined);
    expect(others.length).toBeGreaterThan(0);
    for (const [, value] of others) expect(value).toBe(api?.[1]);
  });
});
