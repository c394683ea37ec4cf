/**
 * Powertools Logger (secrets redacted), Metrics (EMF) and Tracer for one Lambda entry, created
 * once per cold start. The function name becomes a metrics dimension so stage durations and
 * job counts can be graphed per function.
 */
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { createLogger, SERVICE_NAME } from '#shared/logger.ts';
import type { Metrics } from '#shared/ports.ts';

export function observability(functionName: string) {
  const logger = createLogger({ keys: { function: functionName } });
  const metrics = new PowertoolsMetrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? SERVICE_NAME,
    serviceName: SERVICE_NAME,
  });
  metrics.setDefaultDimensions({ function: functionName });
  const tracer = new Tracer({ serviceName: SERVICE_NAME });
  return { logger, metrics, tracer };
}

export type Observed = ReturnType<typeof observability>;

/** The Metrics port over Powertools Metrics (flushed by the logMetrics middleware). */
export function metricsPort(metrics: PowertoolsMetrics): Metrics {
  return {
    count: (name) => metrics.addMetric(name, MetricUnit.Count, 1),
    milliseconds: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
  };
}

/** X-Ray subsegments for every AWS call: cheap, and shows which dependency a slow message waited on. */
export function traceClients(tracer: Tracer, clients: Parameters<Tracer['captureAWSv3Client']>[0][]): void {
  for (const client of clients) tracer.captureAWSv3Client(client);
}
