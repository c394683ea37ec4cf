/**
 * A real webhook receiver on loopback: records each request (headers in lower case, body as
 * text) and answers from a script, one entry per request (the last repeats): a status code, or
 * 'hang' for a request it never answers (the sender's timeout must end it).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
}

export type Answer = number | 'hang';

export interface Receiver {
  url: string;
  port: number;
  received: ReceivedRequest[];
  /** Answers from now on, in order; the last one repeats. */
  script(...answers: Answer[]): void;
  close(): Promise<void>;
}

export async function startReceiver(...answers: Answer[]): Promise<Receiver> {
  let script: Answer[] = answers.length > 0 ? answers : [204];
  const received: ReceivedRequest[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        path: request.url ?? '',
      });
      const answer = script.length > 1 ? (script.shift() as Answer) : (script[0] as Answer);
      if (answer === 'hang') hanging.push(response);
      else response.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    script: (...next) => {
      script = next;
    },
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
