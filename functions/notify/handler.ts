/**
 * Lambda entry of notify: job events from the notify queue -> makeNotify (#usecases/notify.ts),
 * which records each in the event log (TTL'd, once per event id) and counts the jobs' outcomes
 * as EMF metrics. No Kubernetes client in this bundle: the core ports only.
 */
import { buildCoreDeps } from '#adapters/aws/aws-core-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';
import { NOTIFY_ROW } from '#usecases/rows/notify.ts';

export const handler = consumerLambda('notify', NOTIFY_ROW, buildCoreDeps);
