import { describe, expect, it } from 'vitest';
import { loadAwsConfig } from '#adapters/aws/aws-config.ts';
import { AWS_ENV } from '#adapters/aws/aws-env.ts';
import { ConfigError } from '#domain/errors.ts';

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
});
