import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#domain/errors.ts';
import {
  checkCallbackUrl,
  checkOutboundAddress,
  checkOutboundUrl,
  classifyAddress,
  NO_OUTBOUND_ALLOW,
  parseOutboundAllowList,
} from '#domain/outbound-address.ts';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.1.1', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['169.254.169.254', 'cloudMetadata'],
    ['fd00:ec2::254', 'cloudMetadata'],
    ['100.100.100.200', 'cloudMetadata'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700::1', 'public'],
  ])('classifies %s as %s', (address, range) => {
    // Act
    const classified = classifyAddress(address);
    // Assess
    expect(classified?.range).toBe(range);
    expect(classified?.public).toBe(range === 'public');
  });

  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', '169.254.169.254', 'cloudMetadata'],
    ['::ffff:10.0.0.1', '10.0.0.1', 'private'],
    ['::127.0.0.1', '127.0.0.1', 'loopback'],
    ['::a00:1', '10.0.0.1', 'private'],
    ['::2', '0.0.0.2', 'unspecified'],
    ['::ffff:8.8.8.8', '8.8.8.8', 'public'],
  ])('classifies the IPv4 address inside the IPv6 form %s (%s, %s)', (address, inner, range) => {
    // Act
    const classified = classifyAddress(address);
    // Assess
    expect(classified).toEqual({ address: inner, range, public: range === 'public' });
  });

  it('refuses the deprecated IPv4-compatible form even of a public address', () => {
    // Spelt in hex: ipaddr.js reads the dotted ::8.8.8.8 as IPv4-mapped; URLs always carry hex.
    expect(classifyAddress('::808:808')).toMatchObject({ range: 'reserved', public: false });
    expect(checkOutboundUrl('http://[::8.8.8.8]/', NO_OUTBOUND_ALLOW)).toMatchObject({ allowed: false });
  });

  it('answers undefined for what is not an IP address', () => {
    expect(classifyAddress('hooks.example')).toBeUndefined();
    expect(classifyAddress('')).toBeUndefined();
  });
});

describe('checkOutboundUrl', () => {
  it.each([
    ['https://hooks.example/upgrades', 'https://hooks.example/upgrades'],
    ['http://8.8.8.8:8080/x?y=1', 'http://8.8.8.8:8080/x?y=1'],
    ['https://[2606:4700::1]/x', 'https://[2606:4700::1]/x'],
    ['HTTPS://Hooks.Example:443/a/../b', 'https://hooks.example/b'],
  ])('accepts %s, normalized to %s', (url, href) => {
    // Act
    const verdict = checkOutboundUrl(url, NO_OUTBOUND_ALLOW);
    // Assess
    expect(verdict).toEqual({ allowed: true, url: href });
  });

  it.each([
    ['http://127.0.0.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://[::1]:8080/', /::1 is a loopback address/],
    ['http://localhost:8080/', /localhost is a loopback name/],
    ['http://LOCALHOST./', /localhost is a loopback name/],
    ['http://hooks.localhost/', /hooks\.localhost is a loopback name/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://[fd00:ec2::254]/', /fd00:ec2::254 is a cloud metadata address/],
    [
      'http://metadata.google.internal/computeMetadata/v1/',
      /metadata\.google\.internal is a cloud metadata name/,
    ],
    ['http://169.254.10.10/', /link-local address/],
    ['http://[fe80::1]/', /link-local address/],
    ['http://0.0.0.0/', /unspecified address/],
    ['http://[::]/', /unspecified address/],
    ['http://10.0.0.1/', /10\.0\.0\.1 is a private address/],
    ['http://172.16.5.4/', /private address/],
    ['http://192.168.0.1/', /private address/],
    ['http://100.64.1.1/', /carrier-grade NAT address/],
    ['http://[fc00::1]/', /unique-local address/],
    ['http://[::ffff:127.0.0.1]/', /127\.0\.0\.1 is a loopback address/],
    ['http://[::ffff:192.168.0.1]/', /192\.168\.0\.1 is a private address/],
    ['http://[::127.0.0.1]/', /127\.0\.0\.1 is a loopback address/],
    ['http://224.0.0.1/', /multicast address/],
    ['http://255.255.255.255/', /broadcast address/],
    ['http://240.0.0.1/', /reserved address/],
    // Odd IPv4 spellings: the WHATWG URL parser reads each as 127.0.0.1 (or 0.0.0.0).
    ['http://0177.0.0.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://2130706433/', /127\.0\.0\.1 is a loopback address/],
    ['http://0x7f.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://0x7f000001/', /127\.0\.0\.1 is a loopback address/],
    ['http://017700000001/', /127\.0\.0\.1 is a loopback address/],
    ['http://127.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://%31%32%37.0.0.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://0/', /0\.0\.0\.0 is the unspecified address/],
    ['http://user:secret@hooks.example/', /must not carry credentials/],
    ['https://token@hooks.example/', /must not carry credentials/],
    ['ftp://hooks.example/', /must use http or https/],
    ['file:///etc/passwd', /must use http or https/],
    ['javascript:alert(1)', /must use http or https/],
    ['not a url', /is not an absolute URL/],
    ['http://256.0.0.1/', /is not an absolute URL/],
  ])('refuses %s', (url, reason) => {
    // Act
    const verdict = checkOutboundUrl(url, NO_OUTBOUND_ALLOW);
    // Assess
    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed ? '' : verdict.reason).toMatch(reason);
  });

  it('never repeats the credentials of a refused URL', () => {
    const verdict = checkOutboundUrl('https://alice:s3cret@hooks.example/', NO_OUTBOUND_ALLOW);

    expect(JSON.stringify(verdict)).not.toMatch(/s3cret|alice/);
  });

  it('admits what the allow-list names: networks, addresses and host names', () => {
    // Prepare
    const allow = parseOutboundAllowList('127.0.0.0/8, ::1 localhost,sim.internal.');
    // Act
    const verdicts = [
      'http://127.0.0.1:9000/hook',
      'http://0x7f.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::1]/',
      'http://localhost:8080/',
      'http://SIM.internal/x',
    ].map((url) => checkOutboundUrl(url, allow).allowed);
    // Assess
    expect(verdicts).toEqual([true, true, true, true, true, true]);
    expect(checkOutboundUrl('http://10.0.0.1/', allow).allowed).toBe(false);
    expect(checkOutboundUrl('http://a.localhost/', allow).allowed).toBe(false);
    expect(checkOutboundUrl('http://user:pw@localhost/', allow).allowed).toBe(false);
  });
});

describe('checkOutboundAddress', () => {
  it('admits any address of an allow-listed host name, and judges those of other names by address', () => {
    // Prepare
    const allow = parseOutboundAllowList('Hooks.Internal');
    // Act
    const named = ['127.0.0.1', '10.0.0.7'].map((address) =>
      checkOutboundAddress(address, allow, 'hooks.internal.'),
    );
    const other = checkOutboundAddress('127.0.0.1', allow, 'other.internal');
    // Assess
    expect(named).toEqual([{ allowed: true }, { allowed: true }]);
    expect(other).toEqual({ allowed: false, reason: '127.0.0.1 is a loopback address' });
    expect(checkOutboundAddress('hooks.internal', allow, 'hooks.internal').allowed).toBe(false);
  });
});

describe('parseOutboundAllowList', () => {
  it('keeps each entry in a canonical spelling', () => {
    expect(parseOutboundAllowList(' 127.0.0.1,10.0.0.0/8  [::1] Hooks.Example. ').entries).toEqual([
      '127.0.0.1/32',
      '10.0.0.0/8',
      '::1/128',
      'hooks.example',
    ]);
    expect(parseOutboundAllowList('').entries).toEqual([]);
  });

  it.each([
    ['10.0.0.0/33', /10\.0\.0\.0\/33/],
    ['2130706433', /four decimal parts/],
    ['0177.0.0.1', /four decimal parts/],
    ['http://x', /http:\/\/x/],
    ['under_score', /under_score/],
  ])('refuses %s, naming it', (text, message) => {
    expect(() => parseOutboundAllowList(text)).toThrow(ValidationError);
    expect(() => parseOutboundAllowList(text)).toThrow(message);
  });
});

/** The refused ranges of IPv4 and IPv6 unicast space, as CIDRs. */
const REFUSED_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
const REFUSED_V6 = ['::1/128', '::/128', 'fe80::/10', 'fc00::/7', 'ff00::/8'];

/** Any address inside `cidr`: its network bits, then random host bits. */
function addressIn(cidr: string): fc.Arbitrary<string> {
  const [network, bits] = ipaddr.parseCIDR(cidr);
  const base = network.toByteArray();
  return fc.uint8Array({ minLength: base.length, maxLength: base.length }).map((random) => {
    const bytes = base.map((byte, i) => {
      const kept = Math.max(0, Math.min(8, bits - 8 * i));
      const mask = (0xff << (8 - kept)) & 0xff;
      return (byte & mask) | ((random[i] ?? 0) & ~mask & 0xff);
    });
    return ipaddr.fromByteArray(bytes).toString();
  });
}

const bracketed = (address: string) => (address.includes(':') ? `[${address}]` : address);

describe('refused ranges (properties)', () => {
  const refused = fc
    .constantFrom(...REFUSED_V4, ...REFUSED_V6)
    .chain((cidr) => addressIn(cidr).map((address) => ({ cidr, address })));

  it('refuses every address of a refused range, unless its range is allow-listed', () => {
    fc.assert(
      fc.property(refused, ({ cidr, address }) => {
        const url = `http://${bracketed(address)}:8080/hook`;
        expect(checkOutboundAddress(address, NO_OUTBOUND_ALLOW).allowed).toBe(false);
        expect(checkOutboundUrl(url, NO_OUTBOUND_ALLOW).allowed).toBe(false);
        expect(checkOutboundUrl(url, parseOutboundAllowList(cidr)).allowed).toBe(true);
      }),
    );
  });

  it('refuses the IPv4-mapped and IPv4-compatible forms of every refused IPv4 address', () => {
    const v4 = fc.constantFrom(...REFUSED_V4).chain(addressIn);
    fc.assert(
      fc.property(v4, (address) => {
        for (const form of [`::ffff:${address}`, `::${address}`]) {
          expect(checkOutboundUrl(`http://[${form}]/`, NO_OUTBOUND_ALLOW).allowed).toBe(false);
        }
      }),
    );
  });

  it('judges every spelling of an IPv4 address (integer, hex, octal) as its dotted form', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (value) => {
        const dotted = ipaddr.fromByteArray([24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff));
        const octets = dotted.toByteArray();
        const spellings = [
          String(value),
          `0x${value.toString(16)}`,
          octets.map((octet) => `0${octet.toString(8)}`).join('.'),
          octets.map((octet) => `0x${octet.toString(16)}`).join('.'),
        ];
        const expected = checkOutboundUrl(`http://${dotted.toString()}/`, NO_OUTBOUND_ALLOW).allowed;
        for (const spelling of spellings) {
          expect(checkOutboundUrl(`http://${spelling}/`, NO_OUTBOUND_ALLOW).allowed).toBe(expected);
        }
      }),
    );
  });
});

describe('checkCallbackUrl', () => {
  it('gives the normalized URL to store, and refuses with the reason and what callbacks may reach', () => {
    // Act
    const stored = checkCallbackUrl('https://HOOKS.Example.com:443/a/../b', { allow: NO_OUTBOUND_ALLOW });
    const plain = () =>
      checkCallbackUrl('http://hooks.example.com/b', { allow: NO_OUTBOUND_ALLOW, requireHttps: true });
    const loopback = () => checkCallbackUrl('http://127.0.0.1/b', { allow: NO_OUTBOUND_ALLOW });
    // Assess
    expect(stored).toBe('https://hooks.example.com/b');
    expect(plain).toThrow(
      /^callbackUrl refused: must use https .*; callbacks go to public http\(s\) hosts only/,
    );
    expect(loopback).toThrow(/^callbackUrl refused: 127\.0\.0\.1 is a loopback address/);
  });
});
