/**
 * The simulator's control API, on a port of its own so it keeps answering while a platform
 * refuses connections: what a chaos run in another process uses to take platforms down and to
 * read the side-effect ledger. Bearer token; errors are `{"error":{"code","message"}}`.
 *
 *   GET  /sim/v1/ledger                              200 LedgerView (sim/ledger.ts)
 *   GET  /sim/v1/traffic                             200 TrafficView (sim/api/traffic.ts)
 *   GET  /sim/v1/outages                             200 {outages: Outage[]} in progress
 *   POST /sim/v1/outages {platform, seconds, mode?}  201 Outage once the platform is down;
 *                                                    400 bad body, 404 unknown platform, 409 already out
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type RunningHttpServer, startHttpServer } from '#runtime/http-server.ts';
import { bearerTokenCheck } from '#shared/http/bearer-auth.ts';
import { errorResponse } from '#shared/http/error-response.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { readJsonBody } from '#shared/http/request-input.ts';
import { json } from '#shared/http/responses.ts';
import type { Log } from '#shared/ports.ts';
import type { Fleet } from '#sim/fleet.ts';
import { outageRequestSchema } from '#sim/outages.ts';

export const CONTROL_PREFIX = '/sim/v1';
const MAX_BODY_BYTES = 16 * 1024;

export type ControlledFleet = Pick<Fleet, 'outage' | 'outages' | 'ledger' | 'traffic'>;

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

function controlRoutes(fleet: ControlledFleet): Record<string, Record<string, Handler>> {
  return {
    [`${CONTROL_PREFIX}/ledger`]: { GET: async () => json(200, fleet.ledger()) },
    [`${CONTROL_PREFIX}/traffic`]: { GET: async () => json(200, fleet.traffic()) },
    [`${CONTROL_PREFIX}/outages`]: {
      GET: async () => json(200, { outages: fleet.outages() }),
      POST: async (event) => {
        const { platform, ...window } = readJsonBody(event, outageRequestSchema, MAX_BODY_BYTES);
        const { ended, ...outage } = await fleet.outage(platform, window);
        return json(201, outage);
      },
    },
  };
}

export function makeControlHandler(fleet: ControlledFleet, token: string, log: Log): Handler {
  const check = bearerTokenCheck(token);
  const routes = controlRoutes(fleet);
  return async (event) => {
    try {
      check(event.headers?.authorization);
      const { method, path } = event.requestContext.http;
      const methods = routes[path];
      if (!methods) throw new HttpError(404, 'ROUTE_NOT_FOUND', `no such endpoint: ${method} ${path}`);
      const handler = methods[method];
      if (!handler) {
        const allowed = Object.keys(methods).join(', ');
        throw new HttpError(
          405,
          'METHOD_NOT_ALLOWED',
          `${method} is not allowed on ${path}; use ${allowed}`,
          {
            headers: { Allow: allowed },
          },
        );
      }
      return await handler(event);
    } catch (error) {
      return errorResponse(error, event.requestContext.requestId, log);
    }
  };
}

const toStderr = (message: string, ...attributes: Record<string, unknown>[]) =>
  process.stderr.write(`sim control: ${message} ${JSON.stringify(attributes)}\n`);
/** Refusals are the caller's business; only what went wrong here goes to stderr. */
const stderrLog: Log = { debug() {}, info() {}, warn: toStderr, error: toStderr };

export function startControlServer(options: {
  fleet: ControlledFleet;
  token: string;
  host: string;
  port: number;
}): Promise<RunningHttpServer> {
  return startHttpServer({
    host: options.host,
    port: options.port,
    maxBodyBytes: MAX_BODY_BYTES,
    log: stderrLog,
    handler: makeControlHandler(options.fleet, options.token, stderrLog),
  });
}
