/**
 * Kubeconfig text as the Lambda functions read it (no client-node): what a function can use
 * (tokens, client certificates, basic auth, CA data, skip-verify) becomes the endpoint, and what
 * it cannot (exec plugins, auth providers, file paths, proxies) is refused by name, never quoting
 * the secret.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubeConfigFromText } from '#adapters/kube/kube-config-text.ts';
import { ConfigError } from '#domain/errors.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://acp.example/kubernetes/east', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'east', context: { cluster: 'c', user: 'u' } }],
  });
}

const read = (text: string, context?: string) =>
  kubeConfigFromText(async () => text)({ name: 'east', labels: {}, ...(context ? { context } : {}) });

describe('kubeconfig text for the Lambda functions', () => {
  it.each([
    [
      'a bearer token and the CA as data',
      { 'certificate-authority-data': b64('CA PEM') },
      { token: 'platform-token' },
      { ca: 'CA PEM' },
      { Authorization: 'Bearer platform-token' },
    ],
    [
      'a client certificate, skip-verify and a TLS server name',
      { 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes' },
      { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
      { cert: 'CERT', key: 'KEY', rejectUnauthorized: false, servername: 'kubernetes' },
      {},
    ],
    [
      'basic auth',
      {},
      { username: 'admin', password: 'pw' },
      {},
      { Authorization: `Basic ${b64('admin:pw')}` },
    ],
  ])('reads %s', async (_what, cluster, user, tls, headers) => {
    // Act
    const endpoint = await read(kubeconfig(cluster, user));

    // Assess
    expect(endpoint.server).toBe('https://acp.example/kubernetes/east');
    expect(endpoint.tls).toEqual(tls);
    expect(await endpoint.headers()).toEqual(headers);
  });

  it.each([
    ['an exec plugin', {}, { exec: { command: 'aws', args: ['eks', 'get-token'] } }, 'exec'],
    ['an auth provider', {}, { 'auth-provider': { name: 'oidc' } }, 'auth-provider'],
    ['a client certificate file', {}, { 'client-certificate': '/etc/cert.pem' }, 'client-certificate'],
    ['a CA file', { 'certificate-authority': '/etc/ca.pem' }, { token: 't' }, 'certificate-authority'],
    ['a proxy', { 'proxy-url': 'socks5://proxy:1080' }, { token: 't' }, 'proxy-url'],
  ])('refuses %s by name', async (_what, cluster, user, key) => {
    // Act
    const error = await read(kubeconfig(cluster, user)).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `the kubeconfig of cluster east: ${key} cannot be used here; give a token or client certificate and the CA as data`,
    );
  });

  it('refuses a context the kubeconfig does not have, and text that is not a kubeconfig, without quoting it', async () => {
    // Act
    const missing = await read(kubeconfig({}, { token: 't' }), 'west').catch((caught: unknown) => caught);
    const garbage = await read('token: s3cr3t\n  - : [').catch((caught: unknown) => caught);

    // Assess
    expect((missing as Error).message).toBe('the kubeconfig of cluster east has no context "west"');
    expect((garbage as Error).message).toBe('the kubeconfig of cluster east is not valid kubeconfig YAML');
    expect(JSON.stringify(garbage, Object.getOwnPropertyNames(garbage))).not.toContain('s3cr3t');
  });
});
