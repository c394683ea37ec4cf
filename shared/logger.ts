/**
 * Structured JSON logs (Powertools Logger) for the Lambda entries and the local runtime alike.
 * Secrets are redacted by key name at serialisation time, so a token or kubeconfig that slips
 * into a log attribute (or an error's details) is never written out.
 */
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { LogLevel } from '#shared/config.ts';
import type { Log } from '#shared/ports.ts';

export type { Logger } from '@aws-lambda-powertools/logger';

export const SERVICE_NAME = 'redis-upgrader';

/** Keys whose values are credentials or carry them (kubeconfig contents embed tokens and keys). */
const SECRET_KEY = /token|authorization|password|passwd|secret|kubeconfig|credential|api[-_]?key|cookie/i;

export const REDACTED = '[redacted]';

export function redactSecrets(key: string, value: unknown): unknown {
  if (key !== '' && SECRET_KEY.test(key) && value !== undefined && value !== null && value !== '')
    return REDACTED;
  return value;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Attributes on every line, e.g. { component: 'api' }. */
  keys?: Record<string, string>;
}

/**
 * Powertools' line less what every line of a Lambda function's log group repeats: the function's
 * ARN, name and memory size (the group is the function's, and `function` names the stage), and
 * the debug sampling rate, a constant. CloudWatch bills ingestion by the byte, and these were a
 * third of a typical line. The request id, cold start and trace id still tie a line to its
 * invocation, its REPORT line and its trace.
 */
export class UpgraderLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(additional);
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return new Logger({
    serviceName: SERVICE_NAME,
    logFormatter: new UpgraderLogFormatter(),
    // Without an explicit level Powertools reads POWERTOOLS_LOG_LEVEL (default INFO).
    ...(options.level ? { logLevel: options.level } : {}),
    jsonReplacerFn: redactSecrets,
    ...(options.keys ? { persistentKeys: options.keys } : {}),
  });
}

/** The Log port over a Powertools Logger (whose signature takes no `undefined` attributes). */
export function asLog(logger: Logger): Log {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, attributes?: Record<string, unknown>) => {
      if (attributes) logger[level](message, attributes);
      else logger[level](message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
