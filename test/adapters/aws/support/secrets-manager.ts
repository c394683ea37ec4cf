/**
 * A loopback Secrets Manager for tests: the JSON protocol's GetSecretValue by SecretId, enough
 * for the kubeconfig source. Counts calls so caching can be asserted.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSecretsManager {
  endpoint: string;
  secrets: Map<string, string>;
  calls(): number;
  close(): Promise<void>;
}

export async function startFakeSecretsManager(
  secrets = new Map<string, string>(),
): Promise<FakeSecretsManager> {
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      calls++;
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      const secret = secrets.get(SecretId);
      const [status, answer] =
        secret === undefined
          ? [
              400,
              {
                __type: 'ResourceNotFoundException',
                message: "Secrets Manager can't find the specified secret.",
              },
            ]
          : [200, { ARN: SecretId, Name: SecretId.split(':').at(-1), SecretString: secret }];
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    secrets,
    calls: () => calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
