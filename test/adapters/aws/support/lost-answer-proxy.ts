/**
 * A front server that loses DynamoDB's answer to a write: armed for an operation, it forwards the
 * next request of that operation (so the write lands) and answers the client 500 instead of the
 * table's answer, as when the connection resets or the answer times out after the commit. The
 * SDK then retries the same request, which finds the item its first attempt left. Every other
 * request passes through as it is.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type WriteOperation = 'PutItem' | 'TransactWriteItems';

export interface LostAnswerProxy {
  endpoint: string;
  /** Loses the answer to the next request of `operation` (or the one `after` more later), once. */
  arm(operation: WriteOperation, after?: number): void;
  /** How many answers were lost so far (a test that lost none proves nothing). */
  readonly lost: number;
  close(): Promise<void>;
}

const LOST = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
  message: 'Internal server error (the answer was lost after the write)',
});

export async function withLostAnswers(backend: string): Promise<LostAnswerProxy> {
  let armed: WriteOperation | undefined;
  let passing = 0;
  let lost = 0;
  const target = new URL(backend);

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    answer: (status: number, headers: object, body: Buffer) => void,
  ) => {
    const out = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => answer(res.statusCode ?? 500, res.headers, Buffer.concat(chunks)));
      },
    );
    out.on('error', (error) => answer(502, {}, Buffer.from(error.message)));
    out.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target']).split('.').pop();
      const ofArmed = armed !== undefined && operation === armed;
      const loseIt = ofArmed && passing === 0;
      if (ofArmed) passing -= 1;
      if (loseIt) armed = undefined;
      forward(req, Buffer.concat(chunks), (status, headers, body) => {
        if (!loseIt) {
          res.writeHead(status, headers as Record<string, string>).end(body);
          return;
        }
        lost += 1;
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(LOST);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arm(operation, after = 0) {
      armed = operation;
      passing = after;
    },
    get lost() {
      return lost;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
