/**
 * A cluster's health at a glance, for the fleet view (`GET /clusters?include=status`): the
 * installed operator version and whether the operator and every Redis instance are as an upgrade
 * would need them. Read-only and advisory: validate still decides, on its own fresh read, whether
 * a job may touch the cluster.
 */
import type { CsvView, RedisInstanceView, SubscriptionView } from './cluster-views.ts';
import { csvVersion } from './csv-version.ts';
import { checkInstances } from './prerequisites.ts';

/**
 * `upgrading`: OLM is moving the Subscription to another CSV; `unhealthy`: the operator is not
 * Succeeded or an instance is not Ready; `unreachable`: the cluster could not be read.
 */
export const CLUSTER_HEALTH = ['healthy', 'upgrading', 'unhealthy', 'unreachable'] as const;
export type ClusterHealthState = (typeof CLUSTER_HEALTH)[number];

/** What one read of the cluster returned; `subscription` is absent when the cluster has none. */
export interface ClusterReading {
  subscription?: SubscriptionView;
  /** The installed CSV, absent when the Subscription names none or it does not exist. */
  csv?: CsvView;
  instances: readonly RedisInstanceView[];
  platformVersion?: string;
}

export interface ClusterHealth {
  health: ClusterHealthState;
  installedVersion?: string;
  platformVersion?: string;
  /** The Subscription's status.state (AtLatestKnown, UpgradePending, ...). */
  subscriptionState?: string;
  instances: { total: number; ready: number };
  /** Each names the resource at fault and what is wrong with it; empty when healthy. */
  problems: string[];
}

function operatorProblems(reading: ClusterReading): string[] {
  const { subscription, csv } = reading;
  if (!subscription) return ['the Redis operator Subscription was not found: is the plugin installed?'];
  const name = `Subscription ${subscription.namespace}/${subscription.name}`;
  if (!subscription.installedCSV) return [`${name} has no installedCSV: the operator is not installed`];
  if (!csv) return [`${name} reports installedCSV ${subscription.installedCSV}, but that CSV does not exist`];
  if (csv.phase !== 'Succeeded') {
    return [
      `the operator ${csv.name} is ${csv.phase ?? 'without a phase'}${csv.message ? `: ${csv.message}` : ''}`,
    ];
  }
  return [];
}

export function clusterHealth(reading: ClusterReading, packageName: string): ClusterHealth {
  const { subscription, csv, instances } = reading;
  const problems = [...operatorProblems(reading), ...checkInstances(instances).map((f) => f.message)];
  const moving = subscription?.currentCSV && subscription.currentCSV !== subscription.installedCSV;
  const installedVersion = csv && csvVersion(csv, packageName);
  const health: ClusterHealthState = problems.length > 0 ? 'unhealthy' : moving ? 'upgrading' : 'healthy';
  return {
    health,
    ...(installedVersion ? { installedVersion } : {}),
    ...(reading.platformVersion ? { platformVersion: reading.platformVersion } : {}),
    ...(subscription?.state ? { subscriptionState: subscription.state } : {}),
    instances: { total: instances.length, ready: instances.filter((i) => i.healthy).length },
    problems,
  };
}

/** A cluster whose read failed: nothing is known about it but why. */
export function unreachableCluster(why: string): ClusterHealth {
  return { health: 'unreachable', instances: { total: 0, ready: 0 }, problems: [why] };
}
