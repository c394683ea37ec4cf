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
