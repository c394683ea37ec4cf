/**
 * A queue consumer as a Lambda function: its row in #usecases/consumers.ts bound to the ports
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
import type { QueueName, RuntimePorts } from '#usecases/consumer-row.ts';
import { bindConsumer } from '#usecases/consumers.ts';
import { type AwsRuntimeConfig, loadAwsConfig } from './aws-config.ts';
import { type Observed, observability } from './lambda-observability.ts';

/** What a function's builder gives: refreshCatalog only where the catalog is bound (withCatalog). */
export type AwsPorts = RuntimePorts & { refreshCatalog?: () => Promise<void> };

export function consumerLambda(
  name: QueueName,
  build: (config: AwsRuntimeConfig, observed: Observed) => AwsPorts,
) {
  const observed = observability(name);
  const ports = build(loadAwsConfig(), observed);
  const consumer = bindConsumer(name, ports);
  const processRecord = recordProcessor(consumer, ports);
  const main = batchHandler(processRecord, consumer.row.needs.catalog ? ports.refreshCatalog : undefined);
  const { logger, metrics, tracer } = observed;
  return middy(main)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
