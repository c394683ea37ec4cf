/**
 * Reading a request body under a limit, and dropping the rest of one that is over it. Neither
 * breaks off mid-stream: leaving a `for await` over the request destroys it, and the socket with
 * it, before a 413 can reach the client.
 */
import type { IncomingMessage } from 'node:http';

/**
 * The body, or undefined as soon as it is known to exceed `limit` (the rest unread, the request
 * paused). Rejects when the connection goes first.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.pause();
      settle(() => resolve(undefined));
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks)));
    const onClose = () =>
      settle(() => reject(new Error('connection closed before the request body was read')));
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
  });
}

/**
 * Reads and drops what is left of the body. True once it has all arrived; false when the
 * connection closes, or the rest passes `maxBytes` or `maxMs` first.
 */
export function discardRest(req: IncomingMessage, maxBytes: number, maxMs: number): Promise<boolean> {
  if (req.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    let left = maxBytes;
    const settle = (complete: boolean) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      resolve(complete);
    };
    const timer = setTimeout(() => settle(false), maxMs);
    const onData = (chunk: Buffer) => {
      left -= chunk.length;
      if (left < 0) settle(false);
    };
    const onEnd = () => settle(true);
    const onClose = () => settle(false);
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
    req.resume();
  });
}
