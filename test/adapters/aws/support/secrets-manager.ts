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

const NOT_FOUND = {
  __type: 'ResourceNotFoundException',
  message: "Secrets Manager can't find the specified secret.",
};

type Input = { SecretId: string; Name?: string; SecretString?: string };
type Write = (secrets: Map<string, string>, input: Input) => [number, object];

const WRITES: Record<string, Write> = {
  CreateSecret: (secrets, { Name = '', SecretString = '' }) => {
    if (secrets.has(Name)) return [400, { __type: 'ResourceExistsException', message: 'the secret exists' }];
    secrets.set(Name, SecretString);
    return [200, { ARN: Name, Name }];
  },
  PutSecretValue: (secrets, { SecretId, SecretString = '' }) => {
    if (!secrets.has(SecretId)) return [400, NOT_FOUND];
    secrets.set(SecretId, SecretString);
    return [200, { ARN: SecretId, Name: SecretId }];
  },
  DeleteSecret: (secrets, { SecretId }) =>
    secrets.delete(SecretId) ? [200, { ARN: SecretId, Name: SecretId }] : [400, NOT_FOUND],
};

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
      const input = JSON.parse(body) as Input;
      const { SecretId } = input;
      const answer = (status: number, json: object) =>
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(json));
      const write = WRITES[action ?? ''];
      if (write) {
        const [status, json] = write(secrets, input);
        answer(status, json);
        return;
      }
      const secret = secrets.get(SecretId);
      if (secret === undefined) answer(400, NOT_FOUND);
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
