import { describe, expect, it } from 'vitest';
import { ConfigError } from '#domain/errors.ts';
import { loadConfig } from '#shared/config.ts';
import { REDACTED, redactSecrets } from '#shared/logger.ts';

const TOKEN = 'a-token-of-sixteen-plus';

describe('loadConfig', () => {
  it('fills defaults around the one required variable', () => {
    const config = loadConfig({ REDIS_UPGRADER_API_TOKEN: TOKEN, KUBECONFIG: '/etc/kube/config' });

    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      apiToken: TOKEN,
      kubeconfigPath: '/etc/kube/config',
      logLevel: 'INFO',
      maxBodyBytes: 1024 * 1024,
      queue: { pollConcurrency: 2, batchSize: 10, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
      stageDeadlinesSeconds: { validate: 300, 'check-backup': 3600, verify: 1800 },
      backupMaxAgeSeconds: 86_400,
      headroom: { minFreeCpuPercent: 10, minFreeMemoryPercent: 10 },
    });
    expect(config.dataDir).toMatch(/\.redis-upgrader$/);
    expect(config).not.toHaveProperty('artifactMirror');
    expect(config.outboundAllow.entries).toEqual([]);
    expect(config.idempotencyTtlSeconds).toBe(86_400);
  });

  it('reads every setting from its variable', () => {
    const config = loadConfig({
      REDIS_UPGRADER_API_TOKEN: TOKEN,
      REDIS_UPGRADER_DATA_DIR: '/var/lib/upgrader',
      REDIS_UPGRADER_PORT: '0',
      REDIS_UPGRADER_KUBECONFIG: '/k',
      REDIS_UPGRADER_CLUSTERS_FILE: '/c.yaml',
      REDIS_UPGRADER_ARTIFACT_MIRROR: 'http://127.0.0.1:9/downloads/',
      REDIS_UPGRADER_LOG_LEVEL: 'debug',
      REDIS_UPGRADER_POLL_CONCURRENCY: '4',
      REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS: '120',
      REDIS_UPGRADER_MAX_RECEIVE_COUNT: '3',
      REDIS_UPGRADER_MAX_WATCHES: '0',
      REDIS_UPGRADER_DEADLINE_PATCH_SUBSCRIPTION_SECONDS: '900',
      REDIS_UPGRADER_BACKUP_MAX_AGE_SECONDS: '3600',
      REDIS_UPGRADER_MIN_FREE_CPU_PERCENT: '25',
      REDIS_UPGRADER_MIN_FREE_MEMORY_BYTES: '1073741824',
      REDIS_UPGRADER_STAGE_POLL_SECONDS: '2',
      REDIS_UPGRADER_OUTBOUND_ALLOW: '127.0.0.1, ::1 localhost',
      REDIS_UPGRADER_IDEMPOTENCY_TTL_SECONDS: '3600',
    });

    expect(config).toMatchObject({
      dataDir: '/var/lib/upgrader',
      port: 0,
      kubeconfigPath: '/k',
      clustersFile: '/c.yaml',
      artifactMirror: 'http://127.0.0.1:9/downloads/',
      logLevel: 'DEBUG',
      queue: { pollConcurrency: 4, visibilityTimeoutSeconds: 120, maxReceiveCount: 3, maxWatches: 0 },
      stageDeadlinesSeconds: { 'patch-subscription': 900 },
      backupMaxAgeSeconds: 3600,
      headroom: { minFreeCpuPercent: 25, minFreeMemoryBytes: 1073741824 },
      stagePollSeconds: 2,
      idempotencyTtlSeconds: 3600,
    });
    expect(config.outboundAllow.entries).toEqual(['127.0.0.1/32', '::1/128', 'localhost']);
  });

  it('fails with one line naming every bad variable', () => {
    const load = () =>
      loadConfig({
        REDIS_UPGRADER_API_TOKEN: TOKEN,
        REDIS_UPGRADER_PORT: 'eighty',
        REDIS_UPGRADER_ARTIFACT_MIRROR: 'ftp://mirror',
        REDIS_UPGRADER_LOG_LEVEL: 'chatty',
        REDIS_UPGRADER_OUTBOUND_ALLOW: '10.0.0.0/99',
      });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /^invalid configuration: REDIS_UPGRADER_PORT: .* \(got "eighty"\); REDIS_UPGRADER_ARTIFACT_MIRROR: .*; REDIS_UPGRADER_LOG_LEVEL: .*; REDIS_UPGRADER_OUTBOUND_ALLOW: outbound allow-list entry 10\.0\.0\.0\/99 /,
    );
    expect(() => load()).not.toThrow(/\n/);
  });

  it('leases claims for one visibility timeout unless told otherwise, and never longer', () => {
    // Act
    const byDefault = loadConfig({
      REDIS_UPGRADER_API_TOKEN: TOKEN,
      REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS: '30',
    });
    const set = loadConfig({
      REDIS_UPGRADER_API_TOKEN: TOKEN,
      REDIS_UPGRADER_CLAIM_LEASE_SECONDS: '20',
      REDIS_UPGRADER_MAX_RETRY_SECONDS: '120',
    });
    const tooLong = () =>
      loadConfig({
        REDIS_UPGRADER_API_TOKEN: TOKEN,
        REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS: '30',
        REDIS_UPGRADER_CLAIM_LEASE_SECONDS: '90',
      });
    // Assess
    expect(byDefault.claimLeaseSeconds).toBe(30);
    expect(set).toMatchObject({ claimLeaseSeconds: 20, maxRetrySeconds: 120 });
    expect(tooLong).toThrow(ConfigError);
    expect(tooLong).toThrow(
      'REDIS_UPGRADER_CLAIM_LEASE_SECONDS (90) must not exceed REDIS_UPGRADER_VISIBILITY_TIMEOUT_SECONDS (30)',
    );
  });

  it('reads the rollout policies as JSON, none by default, and refuses a bad one naming the policy and field', () => {
    // Prepare
    const policies = [
      { name: 'prod', versions: '>=4.2.0', selector: { matchLabels: { env: 'prod' } }, strategy: {} },
    ];
    const bad = [{ ...policies[0], versions: 'newest' }];
    // Act
    const none = loadConfig({ REDIS_UPGRADER_API_TOKEN: TOKEN });
    const some = loadConfig({
      REDIS_UPGRADER_API_TOKEN: TOKEN,
      REDIS_UPGRADER_ROLLOUT_POLICIES: JSON.stringify(policies),
    });
    const refused = () =>
      loadConfig({ REDIS_UPGRADER_API_TOKEN: TOKEN, REDIS_UPGRADER_ROLLOUT_POLICIES: JSON.stringify(bad) });
    const notJson = () =>
      loadConfig({ REDIS_UPGRADER_API_TOKEN: TOKEN, REDIS_UPGRADER_ROLLOUT_POLICIES: '[{' });
    // Assess
    expect(none.rolloutPolicies).toEqual([]);
    expect(some.rolloutPolicies).toEqual([{ ...policies[0], strategy: expect.any(Object) }]);
    expect(refused).toThrow(/REDIS_UPGRADER_ROLLOUT_POLICIES at 0\.versions: "newest" is not a semver range/);
    expect(notJson).toThrow(/REDIS_UPGRADER_ROLLOUT_POLICIES: is not JSON/);
  });

  it('never echoes the API token', () => {
    const load = () => loadConfig({ REDIS_UPGRADER_API_TOKEN: 'short-secret' });

    expect(load).toThrow('REDIS_UPGRADER_API_TOKEN: must be at least 16 characters (value hidden)');
    expect(load).not.toThrow(/short-secret/);
    expect(() => loadConfig({})).toThrow(
      'REDIS_UPGRADER_API_TOKEN: Invalid input: expected string, received undefined (unset)',
    );
  });
});

describe('redactSecrets', () => {
  it('hides credential-bearing keys at any depth of a log line', () => {
    const line = JSON.stringify(
      {
        cluster: 'a',
        apiToken: 't',
        nested: { Authorization: 'Bearer x', kubeconfig: 'apiVersion: v1', note: 'fine' },
      },
      redactSecrets,
    );

    expect(JSON.parse(line)).toEqual({
      cluster: 'a',
      apiToken: REDACTED,
      nested: { Authorization: REDACTED, kubeconfig: REDACTED, note: 'fine' },
    });
  });
});
