/**
 * A queue consumer as a Lambda function: its row (#usecases/rows/) bound to the ports
 * `build` makes from the function's environment (once per cold start), the record processor
 * both runtimes share (#adapters/record-processor.ts) reporting partial batch failures, the
 * catalog re-read before each batch when the row needs it, and the Logger, Metrics and Tracer
 * middlewares. A functions/<name>/handler.ts is one call of this.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { batchHandler, recordProcessor } from '#adapters/record-processor.ts';
import { bindRow } from '#usecases/consumer-deps.ts';
import type { ConsumerRow, QueueName, RuntimePorts } from '#usecases/consumer-row.ts';
import { type AwsRuntimeConfig, loadAwsConfig } from './aws-config.ts';
import { type Observed, observability } from './lambda-observability.ts';

/** What a function's builder gives: refreshCatalog only where the catalog is bound (withCatalog). */
export type AwsPorts = RuntimePorts & { refreshCatalog?: () => Promise<void> };

/** `row`: the function's own, from #usecases/rows/ (the table would bundle every consumer's use case). */
export function consumerLambda<M extends object>(
  name: QueueName,
  row: ConsumerRow<M>,
  build: (config: AwsRuntimeConfig, observed: Observed) => AwsPorts,
) {
  const observed = observability(name);
  const ports = build(loadAwsConfig(), observed);
  const consumer = bindRow(name, row as ConsumerRow<object>, ports);
  const processRecord = recordProcessor(consumer, ports);
  const refresh = consumer.row.needs.catalog ? ports.refreshCatalog : undefined;
  // The Lambda context gives each batch its deadline (invocationDeadline): a push ends before it.
  const main = batchHandler(processRecord, refresh ? { beforeBatch: refresh } : {});
  const { logger, metrics, tracer } = observed;
  return middy(main)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
