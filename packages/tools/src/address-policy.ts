import { BlockList, isIP } from 'node:net';
import { ToolConfigError } from './errors.js';

// Addresses a model-driven request must never reach unless the tool's owner allows them: the
// machine itself, private networks, link-local (where cloud metadata lives, 169.254.169.254 and
// fd00:ec2::254) and the other special ranges that are never a public web server.
const BLOCKED: ReadonlyArray<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', '"this network"'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  // IPv4-mapped (::ffff:a.b.c.d) addresses are checked as the IPv4 address they carry, by BlockList
  // itself and again in `classify`; NAT64 prefixes can carry any IPv4 address, so they go whole.
  ['64:ff9b::', 96, 'ipv6', 'NAT64'],
  ['64:ff9b:1::', 48, 'ipv6', 'NAT64'],
  ['100::', 64, 'ipv6', 'discard'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['fc00::', 7, 'ipv6', 'unique local (private; includes fd00::/8 and fd00:ec2::254 metadata)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'site-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const blocked = new BlockList();
for (const [address, prefix, family] of BLOCKED) blocked.addSubnet(address, prefix, family);

/** Decides which resolved addresses a request may connect to. */
export class AddressPolicy {
  private readonly allowed = new BlockList();
  private readonly allowsAny: boolean;

  /** `allow`: addresses or CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `::1`) reachable despite the rules. */
  constructor(allow: readonly string[] = []) {
    this.allowsAny = allow.length > 0;
    for (const entry of allow) {
      const [address = '', prefixText] = entry.split('/');
      const family = isIP(address);
      const prefix = prefixText === undefined ? (family === 6 ? 128 : 32) : Number(prefixText);
      if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
        throw new ToolConfigError(
          `httpRequest({ allowAddresses }): ${JSON.stringify(entry)} is not an IP address or CIDR range; write e.g. 127.0.0.1 or 10.0.0.0/8.`,
        );
      }
      this.allowed.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** Why `address` is refused, or undefined when a request may connect to it. */
  refusal(address: string): string | undefined {
    const family = isIP(address);
    if (family === 0) return `${address} is not an IP address`;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    const mapped = family === 6 ? embeddedIPv4(address) : undefined;
    if (this.allowsAny && (this.allowed.check(address, type) || (mapped !== undefined && this.allowed.check(mapped, 'ipv4')))) {
      return undefined;
    }
    const reason = classify(address, type) ?? (mapped !== undefined ? classify(mapped, 'ipv4') : undefined);
    return reason === undefined ? undefined : `${address} is a ${reason} address`;
  }
}

function classify(address: string, type: 'ipv4' | 'ipv6'): string | undefined {
  if (address === '255.255.255.255') return 'broadcast';
  for (const [subnet, prefix, family, reason] of BLOCKED) {
    if (family !== type) continue;
    const one = new BlockList();
    one.addSubnet(subnet, prefix, family);
    if (one.check(address, type)) return reason;
  }
  // BlockList matches IPv4 rules for IPv4-mapped IPv6 addresses; say which rule that was.
  return blocked.check(address, type) ? 'special-purpose' : undefined;
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) IPv6 address. */
function embeddedIPv4(address: string): string | undefined {
  const groups = expandIPv6(address);
  if (groups === undefined) return undefined;
  const zeros = groups.slice(0, 5).every((g) => g === 0);
  if (!zeros || (groups[5] !== 0xffff && groups[5] !== 0)) return undefined;
  if (groups[5] === 0 && groups[6] === 0) return undefined; // :: and ::1 are IPv6's own
  const hi = groups[6] ?? 0;
  const lo = groups[7] ?? 0;
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

function expandIPv6(address: string): number[] | undefined {
  let text = address.toLowerCase().split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = (dotted[1] as string).split('.').map(Number);
    text = `${text.slice(0, -(dotted[1] as string).length)}${(((parts[0] ?? 0) << 8) | (parts[1] ?? 0)).toString(16)}:${(((parts[2] ?? 0) << 8) | (parts[3] ?? 0)).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(fill, 0)).fill('0'), ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}
