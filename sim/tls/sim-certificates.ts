/**
 * The simulator's TLS: a certificate authority generated per run (or kept in the state dir, so a
 * restarted simulator is still trusted by the kubeconfigs it wrote) and a serving certificate it
 * signs for the addresses the platforms listen on. ECDSA P-256 on WebCrypto: tens of ms per run,
 * no openssl.
 */
// @peculiar/x509 needs a Reflect metadata polyfill loaded before it (its README says so).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const CA_DAYS = 3650;
const SERVING_DAYS = 365;
const DAY_MS = 86_400_000;
/** Clocks a little behind ours must still accept the certificates. */
const BACKDATE_MS = 5 * 60_000;

/** The CA's certificate and private key, PEM: what the state dir keeps across restarts. */
export interface SimCertificateAuthority {
  certPem: string;
  keyPem: string;
}

/** What a TLS server needs, plus the CA PEM that clients trust. */
export interface SimServingTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

function serial(): string {
  // Positive (leading bit clear) and unique enough per run.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] as number) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + days * DAY_MS) };
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export async function createCertificateAuthority(): Promise<SimCertificateAuthority> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=redis-upgrader simulated ACP CA, O=redis-upgrader sim',
    ...validity(CA_DAYS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The names a client may dial: loopback and the bind address (which the printed URLs use, even a
 * wildcard one); every interface address and the host name when the simulator listens on all.
 */
export function servingNames(bindHost: string): string[] {
  const host = bindHost.replace(/^\[|\]$/g, '');
  const names = new Set(['localhost', '127.0.0.1', '::1', host]);
  if (host === '0.0.0.0' || host === '::') {
    names.add(hostname());
    for (const addresses of Object.values(networkInterfaces())) {
      for (const a of addresses ?? []) names.add(a.address);
    }
  }
  return [...names];
}

function subjectAltName(name: string): x509.JsonGeneralName {
  const ip = IPV4.test(name) || name.includes(':');
  return { type: ip ? 'ip' : 'dns', value: name.split('%')[0] as string };
}

/** A serving certificate for `names`, signed by `ca`. */
export async function issueServingCertificate(
  ca: SimCertificateAuthority,
  names: string[],
): Promise<SimServingTls> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(ca.keyPem),
    ALGORITHM,
    false,
    ['sign'],
  );
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names.find((n) => !n.includes(':')) ?? 'localhost'}`,
    issuer: caCert.subject,
    ...validity(SERVING_DAYS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map(subjectAltName)),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { caPem: ca.certPem, certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** A fresh CA and a serving certificate for `bindHost`: one simulator run's TLS. */
export async function simServingTls(bindHost = '127.0.0.1'): Promise<SimServingTls> {
  return issueServingCertificate(await createCertificateAuthority(), servingNames(bindHost));
}
