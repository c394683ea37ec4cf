/**
 * Refusals logged through the real Powertools logger (shared/logger.ts), whose output is read
 * back from stdout and stderr: the reason of each refusal must survive the logger's reserved keys.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asLog, createLogger } from '#shared/logger.ts';
import { startApi, TOKEN } from './support/api-server.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every JSON line the logger writes from now on (WARN and ERROR go to stderr). */
function captureLogLines(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      return true;
    });
  }
  return lines;
}

describe('the log line of a refused request', () => {
  it.each([
    ['an unknown route', 'GET', '/upgradez', {}, 404, 'ROUTE_NOT_FOUND', 'no such endpoint: GET /upgradez'],
    [
      'a missing token',
      'GET',
      '/upgrades',
      { authorization: '' },
      401,
      'UNAUTHORIZED',
      'missing or invalid bearer token',
    ],
    [
      'an invalid body',
      'POST',
      '/upgrades',
      { 'content-type': 'application/json' },
      400,
      'INVALID_JSON',
      expect.stringMatching(/^request body is not valid JSON/),
    ],
  ])(
    'keeps the reason for %s, with no warning',
    async (_name, method, path, headers, status, code, reason) => {
      // Prepare
      const lines = captureLogLines();
      const api = await startApi({ log: asLog(createLogger({ level: 'DEBUG' })) });
      // Act
      const response = await api.call(method, path, { headers, ...(method === 'POST' ? { body: '{' } : {}) });
      const requestId = response.headers.get('x-request-id');
      // Assess
      expect(response.status).toBe(status);
      expect(lines.filter((line) => line.level === 'WARN')).toEqual([]);
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'INFO',
          message: 'request refused',
          requestId,
          status,
          code,
          reason,
        }),
      );
      expect(JSON.stringify(lines)).not.toContain(TOKEN);
    },
  );
});
