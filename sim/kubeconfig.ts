/** The kubeconfig a simulated fleet writes: one context per cluster, one user per platform token. */

/** A platform as the kubeconfig names it. */
interface PlatformAccess {
  name: string;
  url: string;
  token: string;
  clusters: string[];
}

export interface KubeconfigCluster {
  server: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: true;
}

export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: { name: string; cluster: KubeconfigCluster }[];
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
}

export function kubeconfigFor(platforms: PlatformAccess[], caPem: string | undefined): Kubeconfig {
  const clusters = platforms.flatMap((p) => p.clusters.map((name) => ({ name, platform: p })));
  // client-node v2 refuses plain http unless TLS verification is off (kubectl refuses it outright).
  const trust: Omit<KubeconfigCluster, 'server'> = caPem
    ? { 'certificate-authority-data': Buffer.from(caPem).toString('base64') }
    : { 'insecure-skip-tls-verify': true };
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: clusters.map(({ name, platform }) => ({
      name,
      cluster: { server: `${platform.url}/kubernetes/${name}`, ...trust },
    })),
    users: platforms.map((p) => ({ name: p.name, user: { token: p.token } })),
    contexts: clusters.map(({ name, platform }) => ({
      name,
      context: { cluster: name, user: platform.name },
    })),
    'current-context': clusters[0]?.name ?? '',
  };
}
