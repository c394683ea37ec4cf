/**
 * A fetch that trusts one more certificate authority (a private mirror, the simulator's per-run CA)
 * besides the system's, on one keep-alive connection pool. Node's global fetch takes no CA, and
 * NODE_EXTRA_CA_CERTS is read only at process start, so this goes through undici directly.
 */
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

export function fetchTrusting(caPem: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, caPem] } });
  return ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
