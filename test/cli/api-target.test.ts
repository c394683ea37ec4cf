/** Where the CLI sends its requests: resolveApiTarget, a pure function of the flags and the environment. */
import { describe, expect, it } from 'vitest';
import { resolveApiTarget } from '#cli/api-target.ts';

const TOKEN = { value: 'test-token-0123456789abcdef', source: '--token' };
const noWarning = () => {
  throw new Error('no warning expected');
};

describe('resolveApiTarget', () => {
  it.each([
    ['with a token', { token: TOKEN }, true, 'test-token-0123456789abcdef'],
    ['without one, on a public route', {}, false, ''],
  ])(
    'drops the trailing slashes of --api %s, so paths are not sent as //webhooks',
    (_, given, requireToken, token) => {
      // Act
      const target = resolveApiTarget(
        { ...given, url: { value: 'http://127.0.0.1:8080/api//', source: '--api' } },
        {},
        noWarning,
        requireToken,
      );

      // Assess
      expect(target).toEqual({ baseUrl: 'http://127.0.0.1:8080/api', token });
    },
  );
});
