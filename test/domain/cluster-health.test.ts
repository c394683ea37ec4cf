import { describe, expect, it } from 'vitest';
import { type ClusterReading, clusterHealth, unreachableCluster } from '#domain/cluster-health.ts';

const subscription = {
  namespace: 'redis-system',
  name: 'redis-operator',
  channel: 'stable',
  approval: 'Manual' as const,
  installedCSV: 'redis-operator.v4.0.3',
  currentCSV: 'redis-operator.v4.0.3',
  state: 'AtLatestKnown',
};
const ready = { kind: 'Redis' as const, namespace: 'cache', name: 'orders', healthy: true, status: 'Ready' };
const healthy: ClusterReading = {
  subscription,
  csv: { name: 'redis-operator.v4.0.3', version: '4.0.3', phase: 'Succeeded' },
  instances: [ready, { ...ready, name: 'sessions' }],
  platformVersion: '3.18.0',
};

describe('clusterHealth', () => {
  it('reads a Succeeded operator with every instance Ready as healthy, with its version', () => {
    expect(clusterHealth(healthy, 'redis-operator')).toEqual({
      health: 'healthy',
      installedVersion: '4.0.3',
      platformVersion: '3.18.0',
      subscriptionState: 'AtLatestKnown',
      instances: { total: 2, ready: 2 },
      problems: [],
    });
  });

  it.each<[string, ClusterReading, string, RegExp]>([
    [
      'an instance not Ready',
      { ...healthy, instances: [ready, { ...ready, name: 'sessions', healthy: false, status: 'Error' }] },
      'unhealthy',
      /^Redis cache\/sessions is Error$/,
    ],
    [
      'an operator CSV that is Installing',
      { ...healthy, csv: { name: 'redis-operator.v4.0.3', phase: 'Installing' } },
      'unhealthy',
      /redis-operator\.v4\.0\.3 is Installing/,
    ],
    ['no Subscription', { instances: [] }, 'unhealthy', /Subscription was not found/],
    [
      'an installedCSV that does not exist',
      { subscription, instances: [] },
      'unhealthy',
      /reports installedCSV redis-operator\.v4\.0\.3, but that CSV does not exist/,
    ],
  ])('reads %s as %s, naming what is wrong', (_name, reading, health, problem) => {
    const result = clusterHealth(reading, 'redis-operator');

    expect(result.health).toBe(health);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(problem);
  });

  it('reads a Subscription moving to another CSV as upgrading, still on the installed version', () => {
    const moving = { ...healthy, subscription: { ...subscription, currentCSV: 'redis-operator.v4.1.2' } };

    const result = clusterHealth(moving, 'redis-operator');

    expect(result).toMatchObject({ health: 'upgrading', installedVersion: '4.0.3', problems: [] });
  });

  it('takes the version from the CSV name when spec.version is missing', () => {
    const reading = { ...healthy, csv: { name: 'redis-operator.v3.16.2', phase: 'Succeeded' } };

    expect(clusterHealth(reading, 'redis-operator').installedVersion).toBe('3.16.2');
  });

  it('says only why for an unreachable cluster', () => {
    expect(unreachableCluster('connect ECONNREFUSED')).toEqual({
      health: 'unreachable',
      instances: { total: 0, ready: 0 },
      problems: ['connect ECONNREFUSED'],
    });
  });
});
