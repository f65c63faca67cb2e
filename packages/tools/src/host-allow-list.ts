import { isIP } from 'node:net';
import { ToolCallError, ToolConfigError } from './errors.js';

/** Host names a tool may reach: exact names, or `*.example.com` for every subdomain of example.com. */
export class HostAllowList {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(private readonly entries: readonly string[]) {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new ToolConfigError('httpRequest({ allow }) needs at least one host name, e.g. allow: ["api.example.com"].');
    }
    for (const entry of entries) {
      const host = normalize(entry);
      const ipv6 = host.startsWith('[') && isIP(host.slice(1, -1)) === 6;
      if (host === '' || (!ipv6 && /[/:@?#\s[\]]/.test(host))) {
        throw new ToolConfigError(
          `httpRequest({ allow }): ${JSON.stringify(entry)} is not a host name. List bare hosts such as api.example.com or *.example.com, without scheme, port or path.`,
        );
      }
      if (host.startsWith('*.')) this.suffixes.push(host.slice(1));
      else this.exact.add(host);
    }
  }

  /** Throws a `ToolCallError` when `hostname` (a URL's, already normalised by URL parsing) is not allowed. */
  check(hostname: string): void {
    const host = normalize(hostname);
    if (this.exact.has(host) || this.suffixes.some((suffix) => host.endsWith(suffix) && host.length > suffix.length)) return;
    throw new ToolCallError(
      'HTTP_HOST_NOT_ALLOWED',
      `The host ${hostname} is not on this tool's allow-list (${this.entries.join(', ')}). Request a URL on one of those hosts.`,
    );
  }
}

function normalize(host: string): string {
  const lower = host.trim().toLowerCase().replace(/\.$/, '');
  // IPv6 literals are written with brackets in URLs; accept them with or without, in any spelling.
  const inner = lower.replace(/^\[(.*)\]$/, '$1');
  if (isIP(inner) === 6) return new URL(`http://[${inner}]/`).hostname;
  if (/^[0-9a-fx.]+$/.test(lower) && /^\d|^0x/.test(lower)) {
    // An IPv4 literal in any spelling: let URL parsing normalise it as it does for request URLs.
    try {
      return new URL(`http://${lower}/`).hostname;
    } catch {
      return lower;
    }
  }
  return lower;
}
