/**
 * Where the product may send requests of its own (webhook callbacks): http(s) URLs to public
 * addresses only, so a caller cannot point it at the host's loopback, the cloud metadata service
 * or the private network behind it (SSRF). Pure: the same rules serve at input, on the URL as
 * written, and at delivery, on each address its host name resolves to.
 *
 * Addresses are classified with ipaddr.js's special-purpose ranges; anything but globally
 * routable unicast is refused unless the operator's allow-list names it (the local simulator and
 * tests use loopback that way).
 */
import ipaddr from 'ipaddr.js';
import * as z from 'zod';
import { ValidationError } from './errors.ts';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface AddressClass {
  /** Canonical spelling; the IPv4 address for an IPv4-mapped or -compatible IPv6 one. */
  address: string;
  /** `public`, `cloudMetadata`, or the special-purpose range name of ipaddr.js (`loopback`, `private`...). */
  range: string;
  public: boolean;
}

export interface OutboundAllowList {
  /** Canonical entries: CIDRs and lower-case host names. */
  readonly entries: readonly string[];
  readonly networks: readonly [Address, number][];
  readonly hosts: ReadonlySet<string>;
}

/** Where the product may send: the allow-list, and whether plain http is refused (AWS's default). */
export interface OutboundRules {
  allow: OutboundAllowList;
  requireHttps?: boolean | undefined;
}

export interface Refusal {
  allowed: false;
  /** Why, naming the host or address; never the URL's credentials. */
  reason: string;
}
export type AddressVerdict = { allowed: true } | Refusal;
export type UrlVerdict = { allowed: true; url: string } | Refusal;

/** Instance metadata services (AWS, its IPv6 endpoint, Alibaba Cloud), whatever range they are in. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata']);

const DESCRIPTIONS: Record<string, string> = {
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  cloudMetadata: 'a cloud metadata address',
  unspecified: 'the unspecified address',
  private: 'a private address',
  carrierGradeNat: 'a carrier-grade NAT address',
  uniqueLocal: 'a unique-local address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

interface Embedded {
  ipv4: ipaddr.IPv4;
  /** ::a.b.c.d, deprecated by RFC 4291, rather than ::ffff:a.b.c.d. */
  compatible: boolean;
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) address. */
function embeddedIpv4(address: Address): Embedded | undefined {
  if (address.kind() === 'ipv4') return undefined;
  const ipv6 = address as ipaddr.IPv6;
  if (ipv6.isIPv4MappedAddress()) return { ipv4: ipv6.toIPv4Address(), compatible: false };
  const [a, b, c, d, e, f, high = 0, low = 0] = ipv6.parts;
  // ::/96 but :: and ::1, which have ranges of their own.
  if (![a, b, c, d, e, f].every((part) => part === 0) || (high === 0 && low <= 1)) return undefined;
  return { ipv4: new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]), compatible: true };
}

function classify(address: Address): AddressClass {
  const inner = embeddedIpv4(address);
  const subject = inner?.ipv4 ?? address;
  const canonical = subject.toString();
  let range: string = METADATA_ADDRESSES.has(canonical) ? 'cloudMetadata' : subject.range();
  if (range === 'unicast') range = inner?.compatible ? 'reserved' : 'public';
  return { address: canonical, range, public: range === 'public' };
}

function parseAddress(text: string): Address | undefined {
  return ipaddr.isValid(text) ? ipaddr.parse(text) : undefined;
}

/** Classifies one IP address (any spelling ipaddr.js reads); undefined when `address` is not one. */
export function classifyAddress(address: string): AddressClass | undefined {
  const parsed = parseAddress(address);
  return parsed && classify(parsed);
}

function inAllowedNetwork(address: Address, allow: OutboundAllowList): boolean {
  const forms = [address, embeddedIpv4(address)?.ipv4].filter((form) => form !== undefined);
  return forms.some((form) =>
    allow.networks.some(([network, bits]) => network.kind() === form.kind() && form.match(network, bits)),
  );
}

function refusalOf(address: Address, allow: OutboundAllowList): Refusal | undefined {
  if (inAllowedNetwork(address, allow)) return undefined;
  const { address: shown, range, public: isPublic } = classify(address);
  if (isPublic) return undefined;
  const description = DESCRIPTIONS[range] ?? `a special-purpose address (${range})`;
  return { allowed: false, reason: `${shown} is ${description}` };
}

/** Host names compare lower-case, without the root's trailing dot. */
const hostKey = (name: string) => name.toLowerCase().replace(/\.$/, '');

/**
 * Whether a request may go to `address`, one the receiver's host name `host` resolved to when
 * given. Every address of an allow-listed host name is admitted: the operator named that host, so
 * where its DNS points is theirs to decide (as registration admits its URL whatever it resolves to).
 */
export function checkOutboundAddress(
  address: string,
  allow: OutboundAllowList,
  host?: string,
): AddressVerdict {
  const parsed = parseAddress(address);
  if (!parsed) return { allowed: false, reason: `${JSON.stringify(address)} is not an IP address` };
  if (host !== undefined && allow.hosts.has(hostKey(host))) return { allowed: true };
  return refusalOf(parsed, allow) ?? { allowed: true };
}

function hostRefusal(host: string, allow: OutboundAllowList): Refusal | undefined {
  const name = hostKey(host);
  if (allow.hosts.has(name)) return undefined;
  if (name === 'localhost' || name.endsWith('.localhost')) {
    return { allowed: false, reason: `${name} is a loopback name` };
  }
  if (METADATA_NAMES.has(name)) return { allowed: false, reason: `${name} is a cloud metadata name` };
  return undefined;
}

/**
 * Whether a request may go to `url` as written: http(s), no credentials, and a host that is not a
 * refused address or name. The WHATWG parser reads odd IPv4 spellings (0177.0.0.1, 2130706433,
 * 0x7f.1) as the address a socket would connect to, so they are judged as that address. Host
 * names are judged again after resolution, at delivery. `url` of an allowed verdict is the
 * normalized URL: store and call that one, never the text that was checked.
 */
export function checkOutboundUrl(
  url: string,
  allow: OutboundAllowList,
  options: { requireHttps?: boolean | undefined } = {},
): UrlVerdict {
  if (!URL.canParse(url)) return { allowed: false, reason: 'is not an absolute URL' };
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { allowed: false, reason: `must use http or https, not ${parsed.protocol}` };
  }
  if (options.requireHttps && parsed.protocol !== 'https:') {
    return { allowed: false, reason: 'must use https (plain http is not enabled for this deployment)' };
  }
  // Never repeat the credentials: this reason ends up in responses and logs.
  if (parsed.username !== '' || parsed.password !== '') {
    return { allowed: false, reason: 'must not carry credentials (user:pass@)' };
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const address = parseAddress(host);
  const refused = address ? refusalOf(address, allow) : hostRefusal(host, allow);
  return refused ?? { allowed: true, url: parsed.href };
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function allowEntry(text: string): string | [Address, number] {
  const entry = text.replace(/^\[(.*)\]$/, '$1');
  const [address = '', bits] = entry.split('/');
  if (ipaddr.IPv4.isValidFourPartDecimal(address) || ipaddr.IPv6.isValid(address)) {
    const network = ipaddr.parse(address);
    if (bits === undefined) return [network, network.kind() === 'ipv4' ? 32 : 128];
    if (ipaddr.isValidCIDR(entry)) return ipaddr.parseCIDR(entry);
  } else if (ipaddr.isValid(address)) {
    // An address only inet_aton reads (0177.0.0.1) is too easy to misread in a security setting.
    throw new ValidationError(
      `outbound allow-list entry ${text}: write IPv4 addresses as four decimal parts`,
    );
  } else if (bits === undefined && HOST_NAME.test(hostKey(entry))) {
    return hostKey(entry);
  }
  throw new ValidationError(
    `outbound allow-list entry ${text} is neither an IP address, a CIDR (10.0.0.0/8) nor a host name`,
  );
}

/** Reads an allow-list written as CIDRs, addresses and host names separated by commas or spaces. */
export function parseOutboundAllowList(text: string): OutboundAllowList {
  const parsed = text
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map(allowEntry);
  return {
    entries: parsed.map((entry) =>
      typeof entry === 'string' ? entry : `${entry[0].toString()}/${entry[1]}`,
    ),
    networks: parsed.filter((entry) => typeof entry !== 'string'),
    hosts: new Set(parsed.filter((entry) => typeof entry === 'string')),
  };
}

export const NO_OUTBOUND_ALLOW: OutboundAllowList = parseOutboundAllowList('');

/** The allow-list as a configuration value (environment variable or stack setting). */
export const outboundAllowSchema = z.string().transform((text, context) => {
  try {
    return parseOutboundAllowList(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * A job's or batch's callback URL as it is stored and called: the normalized URL, or a
 * ValidationError saying why it is refused (the same rules the sender applies at delivery).
 */
export function checkCallbackUrl(url: string, rules: OutboundRules): string {
  const verdict = checkOutboundUrl(url, rules.allow, rules);
  if (verdict.allowed) return verdict.url;
  throw new ValidationError(
    `callbackUrl refused: ${verdict.reason}; callbacks go to public http(s) hosts only (operators may allow-list others)`,
  );
}
