/**
 * A loopback Secrets Manager for tests: the JSON protocol's GetSecretValue by SecretId (enough
 * for the kubeconfig source), and CreateSecret, PutSecretValue and DeleteSecret for the webhook
 * secrets, chosen by the X-Amz-Target header. Counts calls so caching can be asserted.
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
      const action = String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .at(-1);
      const input = JSON.parse(body) as { SecretId: string; Name?: string; SecretString?: string };
      const { SecretId } = input;
      const notFound = {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      };
      const answer = (status: number, json: object) =>
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(json));
      if (action === 'CreateSecret') {
        if (secrets.has(input.Name ?? '')) {
          answer(400, { __type: 'ResourceExistsException', message: 'the secret exists' });
        } else {
          secrets.set(input.Name ?? '', input.SecretString ?? '');
          answer(200, { ARN: input.Name, Name: input.Name });
        }
        return;
      }
      if (action === 'PutSecretValue' || action === 'DeleteSecret') {
        if (!secrets.has(SecretId)) answer(400, notFound);
        else {
          if (action === 'PutSecretValue') secrets.set(SecretId, input.SecretString ?? '');
          else secrets.delete(SecretId);
          answer(200, { ARN: SecretId, Name: SecretId });
        }
        return;
      }
      const secret = secrets.get(SecretId);
      if (secret === undefined) answer(400, notFound);
      else answer(200, { ARN: SecretId, Name: SecretId.split(':').at(-1), SecretString: secret });
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
