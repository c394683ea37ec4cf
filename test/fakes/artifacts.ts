import { createHash } from 'node:crypto';
import { NotFoundError, ValidationError } from '#domain/errors.ts';
import type { ArtifactDownloader, ArtifactRef, ArtifactStore } from '#shared/ports.ts';

function key(ref: ArtifactRef): string {
  return `${ref.package}/${ref.version}/${ref.fileName}`;
}

/**
 * ArtifactStore with the contract's rules: sha256 verified while reading the body, nothing kept
 * on a mismatch (ValidationError CHECKSUM_MISMATCH), and concurrent puts of one ref store it once
 * (the later put waits for the first and never reads its own body).
 */
export class InMemoryArtifactStore implements ArtifactStore {
  private readonly stored = new Map<string, { sha256: string; bytes: Buffer }>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Bodies actually read by put. */
  bodiesRead = 0;

  async has(ref: ArtifactRef): Promise<boolean> {
    return this.stored.get(key(ref))?.sha256 === ref.sha256;
  }

  async put(ref: ArtifactRef, body: AsyncIterable<Uint8Array>): Promise<void> {
    const pending = this.inFlight.get(key(ref));
    if (pending) return pending;
    const writing = this.write(ref, body).finally(() => this.inFlight.delete(key(ref)));
    this.inFlight.set(key(ref), writing);
    return writing;
  }

  private async write(ref: ArtifactRef, body: AsyncIterable<Uint8Array>): Promise<void> {
    this.bodiesRead++;
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    for await (const chunk of body) {
      hash.update(chunk);
      chunks.push(Buffer.from(chunk));
    }
    const actual = hash.digest('hex');
    if (actual !== ref.sha256) {
      throw new ValidationError(
        `${ref.fileName}: sha256 is ${actual}, expected ${ref.sha256}; nothing was kept`,
        {
          code: 'CHECKSUM_MISMATCH',
        },
      );
    }
    this.stored.set(key(ref), { sha256: actual, bytes: Buffer.concat(chunks) });
  }

  async localPath(ref: ArtifactRef): Promise<string> {
    if (!(await this.has(ref))) throw new NotFoundError(`artifact ${key(ref)} is not stored`);
    return `/fake-artifacts/${key(ref)}`;
  }

  /** Stored artifacts as package/version/fileName. */
  keys(): string[] {
    return [...this.stored.keys()];
  }
}

/** Serves fixed bytes per URL; counts downloads; can stall to widen race windows. */
export class FakeArtifactDownloader implements ArtifactDownloader {
  readonly files = new Map<string, Uint8Array>();
  /** URLs in the order downloads started. */
  readonly downloads: string[] = [];
  /** Milliseconds to wait before yielding the body (lets concurrent callers overlap). */
  stallMs = 0;

  serve(url: string, bytes: Uint8Array | string): void {
    this.files.set(url, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  }

  async download(url: string): Promise<AsyncIterable<Uint8Array>> {
    this.downloads.push(url);
    const bytes = this.files.get(url);
    if (!bytes) throw new NotFoundError(`GET ${url}: 404`);
    const stallMs = this.stallMs;
    return (async function* () {
      if (stallMs > 0) await new Promise((resolve) => setTimeout(resolve, stallMs));
      yield bytes.subarray(0, Math.ceil(bytes.length / 2));
      yield bytes.subarray(Math.ceil(bytes.length / 2));
    })();
  }
}

export function sha256Of(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
