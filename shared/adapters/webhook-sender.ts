/**
 * The one outbound call of webhooks, on both runtimes: a POST with node:http(s) on kept-alive
 * connections (no undici: 0.7 MB off the Lambda bundles), redirects never
 * followed (a 3xx is a failed attempt), the whole exchange bounded by the timeout. SSRF rules are
 * applied twice: to the URL as written (scheme, credentials, literal addresses, refused names),
 * and to every address the host name resolves to, inside the socket's own `lookup`, so the
 * connection goes to exactly the address that was checked: a name that resolves to a public
 * address when checked and to 127.0.0.1 a moment later (DNS rebinding) cannot slip through.
 */

import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { errorMessage } from '#domain/errors.ts';
import {
  checkOutboundAddress,
  checkOutboundUrl,
  type OutboundAllowList,
  type OutboundRules,
} from '#domain/outbound-address.ts';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '#shared/webhook-ports.ts';

/** Every address a host name resolves to (a port, so tests can play a rebinding DNS). */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

const REFUSED = 'OUTBOUND_REFUSED';

class RefusedDestination extends Error {
  readonly code = REFUSED;
}

/** The first error in a cause chain that is ours, or the innermost message. */
function failureOf(error: unknown): { message: string; refused: boolean } {
  let current: unknown = error;
  let message = errorMessage(error);
  while (current instanceof Error) {
    if (current instanceof RefusedDestination) return { message: current.message, refused: true };
    if (current.name === 'TimeoutError' || current.name === 'AbortError') {
      return { message: 'no answer within the timeout', refused: false };
    }
    message = current.message || message;
    current = current.cause;
  }
  return { message, refused: false };
}

/**
 * `lookup` for net/tls.connect: resolves, refuses the whole name if any address is refused (a
 * name that mixes public and private addresses is not one we call), and hands the socket the
 * checked addresses only. An allow-listed host name is admitted to whatever it resolves to, as
 * it was at registration; every other name is judged by its addresses.
 */
function checkedLookup(resolve: Resolver, allow: OutboundAllowList) {
  return (
    host: string,
    options: { all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    resolve(host).then(
      (addresses) => {
        for (const { address } of addresses) {
          const verdict = checkOutboundAddress(address, allow, host);
          if (!verdict.allowed) {
            callback(new RefusedDestination(`${host} resolves to ${verdict.reason}`), []);
            return;
          }
        }
        const [first] = addresses;
        if (!first) callback(new Error(`${host} resolves to no address`), []);
        else if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error as Error, []),
    );
  };
}

export interface HttpWebhookSenderOptions extends OutboundRules {
  resolve?: Resolver;
  /** Extra CA certificates (tests' receivers), beside the system's. */
  ca?: string[];
}

export class HttpWebhookSender implements WebhookSender {
  readonly #agents: { http: HttpAgent; https: HttpsAgent };
  readonly #rules: OutboundRules;

  constructor(options: HttpWebhookSenderOptions) {
    this.#rules = { allow: options.allow, requireHttps: options.requireHttps };
    // The agents' options reach every socket they open: the checked lookup, the extra CAs.
    const lookup = checkedLookup(options.resolve ?? systemResolver, options.allow);
    this.#agents = {
      http: new HttpAgent({ keepAlive: true, lookup } as ConstructorParameters<typeof HttpAgent>[0]),
      https: new HttpsAgent({
        keepAlive: true,
        lookup,
        ...(options.ca ? { ca: [...rootCertificates, ...options.ca] } : {}),
      } as ConstructorParameters<typeof HttpsAgent>[0]),
    };
  }

  async post({ url, headers, body, timeoutMs }: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const verdict = checkOutboundUrl(url, this.#rules.allow, this.#rules);
    if (!verdict.allowed) return { error: `${url} refused: ${verdict.reason}`, latencyMs: 0, refused: true };
    try {
      const statusCode = await this.#send(verdict.url, headers, body, timeoutMs);
      return { statusCode, latencyMs: performance.now() - started };
    } catch (error) {
      const { message, refused } = failureOf(error);
      return { error: message, latencyMs: performance.now() - started, ...(refused ? { refused } : {}) };
    }
  }

  #send(target: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
    const url = new URL(target);
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, {
        method: 'POST',
        headers: { ...headers, 'content-length': `${Buffer.byteLength(body)}` },
        agent: https ? this.#agents.https : this.#agents.http,
        signal: AbortSignal.timeout(timeoutMs),
      });
      req.on('error', reject);
      req.on('response', (res) => {
        // The status is the answer; the body is read (up to 64 KiB) and dropped so the connection can be reused.
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 64 * 1024) res.destroy();
        });
        res.on('close', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
      });
      req.end(body);
    });
  }

  async close(): Promise<void> {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}
