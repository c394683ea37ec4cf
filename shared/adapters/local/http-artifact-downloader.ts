/**
 * Streams catalog artifacts over HTTP(S) with fetch. Getting a response is retried with
 * exponential backoff on 429, 5xx, timeouts and network errors (a 429's Retry-After is honoured);
 * any other 4xx is final. The body is returned as a stream for the artifact store to hash while
 * writing; a connection that fails mid-body is a TransientError too, so the job waits and the
 * next visit downloads again. A mirror base URL replaces the catalog URL's directory, so a fleet
 * without internet access (or the simulator's /downloads/) serves the same file names.
 */
import { readFile } from 'node:fs/promises';
import pRetry, { AbortError } from 'p-retry';
import {
  ConfigError,
  NotFoundError,
  TransientError,
  UpgraderError,
  ValidationError,
} from '#domain/errors.ts';
import type { ArtifactDownloader } from '#shared/ports.ts';

export interface HttpArtifactDownloaderOptions {
  /** e.g. http://127.0.0.1:8443/downloads/ : the file name of the catalog URL is resolved against it. */
  mirrorBaseUrl?: string;
  /** Retries after the first attempt. */
  retries?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long to wait for response headers (the body may take as long as it takes). */
  responseTimeoutMs?: number;
  /** The fetch to download with; one that trusts a private mirror's CA: fetch-trusting.ts. */
  fetch?: typeof fetch;
  /**
   * When the invocation downloading ends, epoch ms (#adapters/record-processor.ts), and how long
   * before it the download must be over: a download still running at a Lambda's timeout fails
   * every record of its batch, each back only after its visibility timeout.
   */
  deadline?: () => number | undefined;
  marginMs?: number;
}

/** A CA file's PEM text, or a ConfigError naming the file. */
export async function readCaFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read CA file ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`CA file ${path} holds no PEM certificate`);
  }
  return text;
}

/** TLS verification failures: retrying cannot fix a certificate the client does not trust. */
const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function certificateError(error: unknown): string | undefined {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code && CERTIFICATE_ERRORS.has(code) ? code : undefined;
}

/** The URL to fetch: the catalog URL, or its file name under the mirror. */
export function artifactUrl(catalogUrl: string, mirrorBaseUrl?: string): URL {
  let url: URL;
  try {
    url = new URL(catalogUrl);
  } catch {
    throw new ValidationError(`artifact URL "${catalogUrl}" is not a URL`);
  }
  if (!mirrorBaseUrl) return url;
  const fileName = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const base = mirrorBaseUrl.endsWith('/') ? mirrorBaseUrl : `${mirrorBaseUrl}/`;
  return new URL(fileName, base);
}

/** A URL fit for messages and logs: no credentials, no query (signed URLs carry tokens there). */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Retry-After in milliseconds (seconds or an HTTP date), if given. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

class RetryableResponse extends TransientError {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfter: number | undefined) {
    super(message);
    this.retryAfterMs = retryAfter;
  }
}

const OUT_OF_TIME = "the invocation's time ran out before the file was in; the next delivery downloads it";

async function* transientOnFailure(
  body: AsyncIterable<Uint8Array>,
  where: string,
  timeUp: AbortSignal | undefined,
): AsyncIterable<Uint8Array> {
  try {
    yield* body;
  } catch (error) {
    const why = timeUp?.aborted
      ? OUT_OF_TIME
      : `the connection failed mid-file (${(error as Error).message})`;
    throw new TransientError(`download ${where}: ${why}`, { cause: error });
  }
}

export class HttpArtifactDownloader implements ArtifactDownloader {
  readonly #options: Required<
    Omit<HttpArtifactDownloaderOptions, 'mirrorBaseUrl' | 'deadline' | 'marginMs'>
  > &
    Pick<HttpArtifactDownloaderOptions, 'mirrorBaseUrl' | 'deadline' | 'marginMs'>;

  constructor(options: HttpArtifactDownloaderOptions = {}) {
    this.#options = {
      retries: 4,
      minBackoffMs: 500,
      maxBackoffMs: 10_000,
      responseTimeoutMs: 30_000,
      ...options,
      fetch: options.fetch ?? globalThis.fetch,
    };
  }

  async download(catalogUrl: string): Promise<AsyncIterable<Uint8Array>> {
    const url = artifactUrl(catalogUrl, this.#options.mirrorBaseUrl);
    const { retries, minBackoffMs, maxBackoffMs } = this.#options;
    const timeUp = this.#timeUp(url);
    return pRetry(() => this.#attempt(url, timeUp), {
      retries,
      minTimeout: minBackoffMs,
      maxTimeout: maxBackoffMs,
      randomize: true,
      onFailedAttempt: async ({ error }) => {
        const wait = error instanceof RetryableResponse ? error.retryAfterMs : undefined;
        if (wait) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, maxBackoffMs)));
      },
    });
  }

  /** Aborts when the invocation's time is up (less the margin); never outside an invocation. */
  #timeUp(url: URL): AbortSignal | undefined {
    const end = this.#options.deadline?.();
    if (end === undefined) return undefined;
    const room = end - Date.now() - (this.#options.marginMs ?? 0);
    if (room <= 0) throw new TransientError(`download ${describeUrl(url)}: ${OUT_OF_TIME}`);
    return AbortSignal.timeout(room);
  }

  async #attempt(url: URL, timeUp: AbortSignal | undefined): Promise<AsyncIterable<Uint8Array>> {
    const where = describeUrl(url);
    const outOfTime = () => new AbortError(new TransientError(`download ${where}: ${OUT_OF_TIME}`));
    if (timeUp?.aborted) throw outOfTime();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#options.responseTimeoutMs);
    const signal = timeUp ? AbortSignal.any([controller.signal, timeUp]) : controller.signal;
    let response: Response;
    try {
      response = await this.#options.fetch(url, { signal, redirect: 'follow' });
    } catch (error) {
      if (timeUp?.aborted) throw outOfTime();
      const untrusted = certificateError(error);
      if (untrusted) {
        throw new AbortError(
          new UpgraderError(
            'DOWNLOAD_REFUSED',
            `download ${where}: the server's certificate is not trusted (${untrusted}); give its CA with REDIS_UPGRADER_ARTIFACT_MIRROR_CA`,
          ),
        );
      }
      throw new TransientError(
        `download ${where}: ${controller.signal.aborted ? 'no response in time' : (error as Error).message}`,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
    }
    if (response.ok && response.body) return transientOnFailure(response.body, where, timeUp);
    await response.body?.cancel();
    const problem = `download ${where}: HTTP ${response.status}`;
    if (isRetryableStatus(response.status)) {
      throw new RetryableResponse(problem, retryAfterMs(response.headers.get('retry-after')));
    }
    const final =
      response.status === 404 || response.status === 410
        ? new NotFoundError(`${problem}: the catalog points at a file the server does not have`)
        : new UpgraderError('DOWNLOAD_REFUSED', `${problem}: check the artifact URL or mirror`);
    throw new AbortError(final);
  }
}
