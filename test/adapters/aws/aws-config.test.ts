import { describe, expect, it } from 'vitest';
import { loadAwsConfig } from '#adapters/aws/aws-config.ts';
import { AWS_ENV, VIOLET_COMMIT_MARGIN_SECONDS } from '#adapters/aws/aws-env.ts';
import { ConfigError } from '#domain/errors.ts';
import { parseStackConfig } from '../../../infra/stack-config.ts';

const TABLE = { [AWS_ENV.tableName]: 'jobs' };

describe('loadAwsConfig', () => {
  it('keeps Idempotency-Keys for a day unless the stack says otherwise', () => {
    // Act
    const byDefault = loadAwsConfig(TABLE);
    const configured = loadAwsConfig({ ...TABLE, [AWS_ENV.idempotencyTtlSeconds]: '600' });
    // Assess
    expect(byDefault.idempotencyTtlSeconds).toBe(86_400);
    expect(configured.idempotencyTtlSeconds).toBe(600);
  });

  it('reads the rollout policies the stack sets, none by default', () => {
    // Prepare
    const policies = [{ name: 'prod', versions: '>=4.2.0', selector: {}, strategy: { canary: 1 } }];
    // Act
    const none = loadAwsConfig(TABLE);
    const some = loadAwsConfig({ ...TABLE, [AWS_ENV.rolloutPolicies]: JSON.stringify(policies) });
    // Assess
    expect(none.rolloutPolicies).toEqual([]);
    expect(some.rolloutPolicies.map((policy) => policy.name)).toEqual(['prod']);
    expect(() =>
      loadAwsConfig({ ...TABLE, [AWS_ENV.rolloutPolicies]: JSON.stringify([...policies, ...policies]) }),
    ).toThrow(/UPGRADER_ROLLOUT_POLICIES at 1\.name: prod is named twice/);
  });

  it('admits no non-public callback destination unless the stack sets the allow-list', () => {
    // Act
    const config = loadAwsConfig({ ...TABLE, [AWS_ENV.outboundAllow]: '' });
    // Assess
    expect(config.outboundAllow.entries).toEqual([]);
  });

  it('reads the outbound allow-list the stack sets', () => {
    // Act
    const config = loadAwsConfig({ ...TABLE, [AWS_ENV.outboundAllow]: '10.0.0.0/8,hooks.internal' });
    // Assess
    expect(config.outboundAllow.entries).toEqual(['10.0.0.0/8', 'hooks.internal']);
  });

  it('refuses a malformed allow-list entry, naming the variable and the entry', () => {
    // Act
    const load = () => loadAwsConfig({ ...TABLE, [AWS_ENV.outboundAllow]: '0x7f.1' });
    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/UPGRADER_OUTBOUND_ALLOW: outbound allow-list entry 0x7f\.1/);
  });

  it('falls back to the defaults the stack passes, for a variable the stack did not bind', () => {
    // Prepare
    const stack = parseStackConfig({});

    // Act
    const config = loadAwsConfig(TABLE);

    // Assess
    expect(config).toMatchObject({
      violetPath: stack.violetPath,
      violetTimeoutSeconds: stack.uploadTimeoutSeconds - VIOLET_COMMIT_MARGIN_SECONDS,
      kubeconfigTtlSeconds: stack.kubeconfigTtlSeconds,
      eventRetentionDays: stack.eventRetentionDays,
      idempotencyTtlSeconds: stack.idempotencyTtlSeconds,
      pipeline: {},
    });
  });

  it('refuses a pipeline override the stage use cases do not know, naming the variable and the field', () => {
    // Act
    const load = () =>
      loadAwsConfig({ ...TABLE, [AWS_ENV.pipelineConfig]: '{"retrySeconds":0,"claimLease":60}' });

    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /^invalid function environment: UPGRADER_PIPELINE_CONFIG at retrySeconds: .*; UPGRADER_PIPELINE_CONFIG: Unrecognized key: "claimLease"/,
    );
  });
});
