// Where webhook deliveries may go. A webhook URL is chosen by an admin, but the server that posts
// to it sits next to Neo4j and Redis: a URL naming an internal address would turn deliveries (and
// their logged outcome) into a probe of the internal network. So private, loopback, link-local and
// other non-public addresses are refused unless ACCTNET_WEBHOOK_ALLOW_TARGETS names them — at
// registration (the URL's literal address or what its name resolves to) and on every delivery, on
// the address the connection actually goes to (a name can resolve differently later).
import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Address ranges that are not the public internet (RFC 6890 and friends). */
const NON_PUBLIC: ReadonlyArray<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['64:ff9b::', 96, 'ipv6', 'NAT64 (reaches IPv4 addresses)'],
  ['64:ff9b:1::', 48, 'ipv6', 'local-use NAT64 (reaches IPv4 addresses)'],
  ['::', 96, 'ipv6', 'IPv4-compatible (deprecated; reaches IPv4 addresses)'],
  ['::ffff:0:0:0', 96, 'ipv6', 'IPv4-translated (reaches IPv4 addresses)'],
  ['2002::', 16, 'ipv6', '6to4 (reaches IPv4 addresses)'],
  ['fc00::', 7, 'ipv6', 'private (unique local)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

/**
 * An address in canonical form: IPv4-mapped IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1) becomes the IPv4
 * address it stands for, so a mapped form cannot slip past an IPv4 rule.
 */
export function canonicalAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return { address: bare, family: 'ipv4' };
  if (family !== 6) return null;
  // The URL parser normalises IPv6 (hex groups, lower case): ::ffff:7f00:1.
  const normal = new URL(`http://[${bare}]/`).hostname.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(normal);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(normal);
  if (dotted) return { address: dotted[1]!, family: 'ipv4' };
  return { address: normal, family: 'ipv6' };
}

export interface TargetPolicy {
  /** Why this address may not receive webhooks, or null when it may. */
  denied(address: string): string | null;
}

export function targetPolicy(allowTargets: readonly string[]): TargetPolicy {
  const allowed = new BlockList();
  for (const entry of allowTargets) {
    const [address, bits] = entry.split('/');
    const c = canonicalAddress(address!);
    if (!c) continue; // config validation has already refused it
    if (bits === undefined) allowed.addAddress(c.address, c.family);
    else allowed.addSubnet(c.address, Number(bits) - (c.family === 'ipv4' && isIP(address!) === 6 ? 96 : 0), c.family);
  }
  return {
    denied(address: string): string | null {
      const c = canonicalAddress(address);
      if (!c) return `${address} is not an IP address`;
      if (allowed.check(c.address, c.family)) return null;
      for (const [net, bits, family, kind] of NON_PUBLIC) {
        if (family !== c.family) continue;
        const one = new BlockList();
        one.addSubnet(net, bits, family);
        if (one.check(c.address, family)) {
          return `${address} is a ${kind} address; webhooks go to public addresses only unless ACCTNET_WEBHOOK_ALLOW_TARGETS lists it`;
        }
      }
      return null;
    },
  };
}

export class WebhookTargetDenied extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookTargetDenied';
  }
}

/**
 * Registration check: the URL's literal address, or every address its host name resolves to now;
 * a denied target throws WebhookTargetDenied. A name that does not resolve from here is accepted —
 * this host's resolver may not see the gateway's zone yet, or DNS may be down for a moment; the
 * delivery checks again when it connects — and the answer says so: a warning the registration
 * returns, since every delivery fails until it resolves.
 */
export async function checkWebhookTarget(url: URL, policy: TargetPolicy): Promise<{ warning: string | null }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const why = policy.denied(host);
    if (why) throw new WebhookTargetDenied(`url ${url.origin}: ${why}`);
    return { warning: null };
  }
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message;
    return {
      warning: `${host} does not resolve from this server (${code}): deliveries fail until it does — check the name, or this server's DNS`,
    };
  }
  for (const a of addresses) {
    const why = policy.denied(a.address);
    if (why) throw new WebhookTargetDenied(`url ${url.origin}: ${host} resolves to ${why}`);
  }
  return { warning: null };
}

/**
 * A dns lookup for http(s).request that refuses a denied address: the check runs on the very
 * addresses the socket will connect to, so a name re-pointed after registration is caught too.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
      if (err) return (callback as (e: Error | null, a: dns.LookupAddress[]) => void)(err, []);
      const list = addresses as dns.LookupAddress[];
      for (const a of list) {
        const why = policy.denied(a.address);
        if (why) {
          return (callback as (e: Error | null, a: dns.LookupAddress[]) => void)(
            new WebhookTargetDenied(`${hostname} resolves to ${why}`),
            [],
          );
        }
      }
      if (options.all) return (callback as (e: Error | null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      (callback as (e: Error | null, a: string, f: number) => void)(null, first.address, first.family);
    });
  };
}
