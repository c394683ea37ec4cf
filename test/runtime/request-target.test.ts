import { describe, expect, it } from 'vitest';
import { readRequestTarget } from '#runtime/request-target.ts';
import { HttpError } from '#shared/http/http-error.ts';

function request(url: string, hosts: string[] = ['localhost:8080'], httpVersion = '1.1') {
  return { url, httpVersion, headersDistinct: hosts.length > 0 ? { host: hosts } : {} };
}

describe('reading a request target', () => {
  it.each([
    ['/healthz', { path: '/healthz', query: '' }],
    ['/upgrades?state=failed&cluster=a', { path: '/upgrades', query: 'state=failed&cluster=a' }],
    ['/upgrades/a%20b?x=%zz', { path: '/upgrades/a%20b', query: 'x=%zz' }],
    ['//healthz', { path: '//healthz', query: '' }],
    ['//evil.example/healthz', { path: '//evil.example/healthz', query: '' }],
    ['/%zz', { path: '/%zz', query: '' }],
    ['http://api.example/healthz?x=1', { path: '/healthz', query: 'x=1', host: 'api.example' }],
    ['HTTPS://API.example:8443/plan', { path: '/plan', query: '', host: 'api.example:8443' }],
    ['http://api.example', { path: '/', query: '', host: 'api.example' }],
  ])('reads %s as a path', (url, expected) => {
    expect(readRequestTarget(request(url))).toEqual(expected);
  });

  it.each([
    'http://[',
    'http://a:99999/healthz',
    'http://%zz/',
    'http://exa mple/',
    '*',
    'api.example:443',
    'healthz',
    'ftp://api.example/healthz',
    'mailto:ops@example.com',
    '',
  ])('refuses %j with 400 INVALID_REQUEST_TARGET', (url) => {
    // Act
    const refusal = readRequestTarget(request(url));
    // Assess
    expect(refusal).toBeInstanceOf(HttpError);
    expect(refusal).toMatchObject({ status: 400, code: 'INVALID_REQUEST_TARGET' });
  });

  it.each([
    ['no Host on HTTP/1.1', [], '1.1'],
    ['two Host headers', ['a.example', 'b.example'], '1.1'],
    ['two Host headers on HTTP/1.0', ['a.example', 'b.example'], '1.0'],
  ])('refuses %s with 400 INVALID_HOST', (_name, hosts, version) => {
    expect(readRequestTarget(request('/healthz', hosts, version))).toMatchObject({
      status: 400,
      code: 'INVALID_HOST',
    });
  });

  it('accepts HTTP/1.0 without Host', () => {
    expect(readRequestTarget(request('/healthz', [], '1.0'))).toEqual({ path: '/healthz', query: '' });
  });
});
