import { describe, expect, it } from 'vitest';
import { classifyUploadFailure } from '#adapters/kube/violet-failure.ts';

describe('classifyUploadFailure', () => {
  it.each([
    ['violet: platform https://acp.example answered 503: upstream connect error', 'transient'],
    ['violet: platform https://acp.example answered 429: slow down', 'transient'],
    ['violet: platform https://acp.example answered 502: Bad Gateway', 'transient'],
    ['violet: cannot reach platform https://acp.example: ECONNREFUSED', 'transient'],
    ['violet: cannot reach platform https://acp.example: ECONNRESET', 'transient'],
    ['violet: cannot reach platform https://acp.example: UND_ERR_SOCKET', 'transient'],
    ['Error: Post "https://acp.example/x": dial tcp 10.0.0.1:443: connect: connection refused', 'transient'],
    ['Error: Post "https://acp.example/x": context deadline exceeded', 'transient'],
    ['Error: Get "https://acp.example/x": dial tcp: lookup acp.example: no such host', 'transient'],
    ['Error: unexpected status code 504 Gateway Timeout', 'transient'],
    [
      'Error: Post "https://acp.example/x": dial tcp 10.0.0.1:443: connect: connection timed out',
      'transient',
    ],
    ['Error: Post "https://acp.example/x": dial tcp 10.0.0.1:443: connect: no route to host', 'transient'],
    ['Error: Post "https://acp.example/x": EOF', 'transient'],
    [
      'Error: Post "https://acp.example/x": net/http: request canceled (Client.Timeout exceeded while awaiting headers)',
      'transient',
    ],
    ['Error: Post "https://acp.example/x": http2: server sent GOAWAY and closed the connection', 'transient'],
    ['violet: EOF marker missing in manifest.yaml', 'permanent'],
    ['violet: platform https://acp.example refused the token (401 Unauthorized)', 'permanent'],
    ['Error: unexpected status code 403 Forbidden', 'permanent'],
    ['violet: redis-operator.v4.0.1.tgz: not a gzip archive', 'permanent'],
    ['violet: platform https://acp.example answered 422: unknown package foo', 'permanent'],
    ['cluster c1: Failed: pushing images to cluster c1 failed: registry unavailable', 'permanent'],
    ['something nobody has seen before', 'permanent'],
  ])('%s -> %s', (said, kind) => {
    expect(classifyUploadFailure(said)).toBe(kind);
  });
});
