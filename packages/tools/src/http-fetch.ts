import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { AddressPolicy } from './address-policy.js';
import { ToolCallError } from './errors.js';
import type { HostAllowList } from './host-allow-list.js';

/** Resolves a host name to every address it has, like `dns.lookup(host, { all: true })`. */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export interface FetchLimits {
  hosts: HostAllowList;
  addresses: AddressPolicy;
  maxBytes: number;
  maxRedirects: number;
  resolve: ResolveHost;
  /** Headers the tool's owner set (e.g. an API key): sent only to the host the request started at. */
  headers: Record<string, string>;
  signal: AbortSignal;
}

export interface FetchedResponse {
  url: string;
  status: number;
  contentType: string | undefined;
  body: string;
  bytes: number;
  truncated: boolean;
  redirects: string[];
}

export const resolveWithDns: ResolveHost = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/**
 * One request and its redirects. Every hop is checked against the host allow-list, and its
 * addresses are checked inside the socket's own `lookup`: the address checked is the address
 * connected to, so a name re-resolving to a private address between check and connect (DNS
 * rebinding) gets nowhere.
 */
export async function guardedFetch(
  method: 'GET' | 'POST',
  startUrl: string,
  body: string | undefined,
  extraHeaders: Record<string, string>,
  limits: FetchLimits,
): Promise<FetchedResponse> {
  let url = parseUrl(startUrl);
  const firstHost = url.host;
  const redirects: string[] = [];
  for (;;) {
    limits.hosts.check(url.hostname);
    const literal = stripBrackets(url.hostname);
    if (isIP(literal) !== 0) {
      const refusal = limits.addresses.refusal(literal);
      if (refusal !== undefined) throw blockedAddress(url, refusal);
    }
    const headers: Record<string, string> = { ...extraHeaders, 'user-agent': 'novaloop-http-tool', accept: '*/*' };
    if (url.host === firstHost) Object.assign(headers, limits.headers);
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const response = await send(url, method, headers, body, limits);
    const location = response.headers.location;
    if (response.statusCode !== undefined && response.statusCode >= 300 && response.statusCode < 400 && location !== undefined) {
      response.resume();
      if (redirects.length >= limits.maxRedirects) {
        throw new ToolCallError(
          'HTTP_TOO_MANY_REDIRECTS',
          `${startUrl} redirected more than ${limits.maxRedirects} times (last to ${location}). Request the final URL directly.`,
        );
      }
      url = parseUrl(new URL(location, url).href);
      redirects.push(url.href);
      if (response.statusCode === 301 || response.statusCode === 302 || response.statusCode === 303) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    const read = await readBody(response, limits.maxBytes, limits.signal);
    return {
      url: url.href,
      status: response.statusCode ?? 0,
      contentType: response.headers['content-type'],
      body: read.text,
      bytes: read.bytes,
      truncated: read.truncated,
      redirects,
    };
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    // WHATWG parsing turns every IPv4 spelling (2130706433, 0177.0.0.1, 0x7f.1, 127.1) into dotted
    // decimal, so the allow-list and the address rules see one form only.
    url = new URL(text);
  } catch {
    throw new ToolCallError(
      'HTTP_BAD_URL',
      `${JSON.stringify(text)} is not an absolute URL. Give a full URL such as https://example.com/path.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ToolCallError('HTTP_BAD_URL', `Only http and https URLs can be requested, not ${url.protocol}. Use an https:// URL.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ToolCallError('HTTP_BAD_URL', 'URLs with a user name or password are refused. Request the URL without credentials.');
  }
  return url;
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  limits: FetchLimits,
): Promise<IncomingMessage> {
  const lookup: LookupFunction = (hostname, options, callback) => {
    limits
      .resolve(hostname)
      .then((all) => {
        const usable = all.filter((entry) => limits.addresses.refusal(entry.address) === undefined);
        if (usable.length === 0) {
          const reasons = all.map((entry) => limits.addresses.refusal(entry.address)).join('; ');
          throw blockedAddress(url, reasons || `${hostname} has no addresses`);
        }
        if (options.all) callback(null, usable);
        else callback(null, (usable[0] as LookupAddress).address, (usable[0] as LookupAddress).family);
      })
      .catch((error: Error) => callback(error as NodeJS.ErrnoException, ''));
  };
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method,
      headers,
      lookup,
      signal: limits.signal,
      agent: false,
    });
    request.once('response', resolve);
    request.once('error', (error) => reject(limits.signal.aborted ? limits.signal.reason : asToolError(error, url)));
    request.end(body);
  });
}

async function readBody(response: IncomingMessage, maxBytes: number, signal: AbortSignal) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  try {
    for await (const chunk of response) {
      const buffer = chunk as Buffer;
      const room = maxBytes - bytes;
      if (buffer.length > room) {
        chunks.push(buffer.subarray(0, room));
        bytes += room;
        truncated = true;
        break;
      }
      chunks.push(buffer);
      bytes += buffer.length;
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  } finally {
    // Stops the download at the limit instead of reading the rest to throw it away.
    response.destroy();
  }
  // A cut may split a multi-byte character; the decoder marks that with U+FFFD rather than failing.
  return { text: Buffer.concat(chunks).toString('utf8'), bytes, truncated };
}

function blockedAddress(url: URL, reason: string): ToolCallError {
  return new ToolCallError(
    'HTTP_ADDRESS_BLOCKED',
    `Refused to connect to ${url.host}: ${reason}. Private, loopback, link-local and metadata addresses cannot be requested; use a public host from the allow-list.`,
  );
}

function asToolError(error: Error, url: URL): Error {
  if (error instanceof ToolCallError) return error;
  return new ToolCallError('HTTP_FAILED', `Request to ${url.host} failed: ${error.message}. Check the URL, or try again later.`, {
    cause: error,
  });
}

const stripBrackets = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
