/**
 * Structured JSON logs (Powertools Logger) for the Lambda entries and the local runtime alike.
 * Secrets are redacted by key name at serialisation time, so a token or kubeconfig that slips
 * into a log attribute (or an error's details) is never written out.
 */
import { Logger } from '@aws-lambda-powertools/logger';
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

export function createLogger(options: LoggerOptions = {}): Logger {
  return new Logger({
    serviceName: SERVICE_NAME,
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
