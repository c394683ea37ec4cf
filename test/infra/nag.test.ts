import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
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

  it('refuses an invalid context value, naming the key', () => {
    expect(() => synthStack({ maxConcurrency: 1 })).toThrow(/maxConcurrency/);
  });
});
