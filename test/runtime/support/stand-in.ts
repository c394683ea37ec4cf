/**
 * The local API Gateway stand-in around a scripted handler, on a random loopback port; every
 * event it passes on is recorded, and closed after each test.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { afterEach } from 'vitest';
import { type HttpServerOptions, startHttpServer } from '#runtime/http-server.ts';
import { RecordingLog } from '#test/fakes/log.ts';

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

export async function standIn(
  answer: (event: APIGatewayProxyEventV2) => APIGatewayProxyResultV2 | Promise<APIGatewayProxyResultV2>,
  options: Partial<Pick<HttpServerOptions, 'maxBodyBytes' | 'lingerMs' | 'site'>> = {},
) {
  const events: APIGatewayProxyEventV2[] = [];
  const log = new RecordingLog();
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1024,
    log,
    handler: async (event) => {
      events.push(event);
      return answer(event);
    },
    ...options,
  });
  closers.push(server.close);
  return { url: server.url, events, log };
}
