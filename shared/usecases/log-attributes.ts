import type { Log } from '#shared/ports.ts';

/** `log` with `attributes` on every line; a line's own attributes win over them. */
export function withAttributes(log: Log, attributes: Record<string, unknown>): Log {
  const merge = (extra: Record<string, unknown>[]) => Object.assign({}, attributes, ...extra);
  return {
    debug: (message, ...extra) => log.debug(message, merge(extra)),
    info: (message, ...extra) => log.info(message, merge(extra)),
    warn: (message, ...extra) => log.warn(message, merge(extra)),
    error: (message, ...extra) => log.error(message, merge(extra)),
  };
}
