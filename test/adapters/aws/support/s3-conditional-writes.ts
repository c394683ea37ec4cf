/**
 * fauxqs stores S3 objects faithfully but ignores If-None-Match and If-Match on writes. This front server
 * adds S3's conditional-write rule for tests: a PutObject or CompleteMultipartUpload carrying
 * `If-None-Match: *` is answered 412 PreconditionFailed when the key already exists, one carrying
 * `If-Match: <etag>` when the object is missing or has another ETag. Writes to
 * one key are serialised, like S3's own conditional-write check.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(
  backend: URL,
  method: string,
  path: string,
  headers: IncomingMessage['headers'],
  body?: Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const out = httpRequest({ host: backend.hostname, port: backend.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    out.on('error', reject);
    out.end(body);
  });
}

const PRECONDITION_FAILED = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>',
);

export async function withConditionalWrites(
  backendAddress: string,
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const backend = new URL(backendAddress);
  const locks = new Map<string, Promise<unknown>>();
  const serialised = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const result = (locks.get(key) ?? Promise.resolve()).then(work, work);
    locks.set(
      key,
      result.catch(() => undefined),
    );
    return result;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      const objectPath = path.split('?')[0] ?? path;
      const isWrite =
        req.method === 'PUT'
          ? !path.includes('partNumber=')
          : req.method === 'POST' && path.includes('uploadId=');
      const ifMatch = req.headers['if-match'];
      const conditional = isWrite && (req.headers['if-none-match'] === '*' || ifMatch !== undefined);
      const work = async (): Promise<Answer> => {
        if (conditional) {
          const {
            'content-length': _,
            'content-encoding': __,
            'if-match': ___,
            ...headHeaders
          } = req.headers;
          const head = await send(backend, 'HEAD', objectPath, headHeaders);
          // If-None-Match: * wants no object; If-Match wants the object with that ETag.
          const holds =
            ifMatch === undefined
              ? head.status !== 200
              : head.status === 200 && head.headers.etag === ifMatch;
          if (!holds) {
            return { status: 412, headers: { 'content-type': 'application/xml' }, body: PRECONDITION_FAILED };
          }
        }
        return send(backend, req.method ?? 'GET', path, req.headers, body);
      };
      (conditional ? serialised(objectPath, work) : work()).then(
        (answer) => res.writeHead(answer.status, answer.headers).end(answer.body),
        (error: Error) => res.writeHead(502).end(error.message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
