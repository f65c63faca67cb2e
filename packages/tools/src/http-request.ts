import { tool, type Tool } from '@novaloop/core';
import { z } from 'zod/v4';
import { AddressPolicy } from './address-policy.js';
import { ToolCallError, ToolConfigError } from './errors.js';
import { guardedFetch, resolveWithDns, type ResolveHost } from './http-fetch.js';
import { HostAllowList } from './host-allow-list.js';

export interface HttpRequestOptions {
  /** Hosts the model may request: `api.example.com`, or `*.example.com` for its subdomains. Required. */
  allow: readonly string[];
  /**
   * Addresses or CIDR ranges that may be reached although they are loopback, private, link-local or
   * otherwise special (e.g. `['10.1.2.0/24']` for an internal API). Empty by default: nothing private.
   */
  allowAddresses?: readonly string[];
  /** Response bytes kept; the rest is not downloaded and the result says `truncated: true`. Default 1 MiB. */
  maxBytes?: number;
  /** For the whole request, redirects included. Default 10 000 ms. */
  timeoutMs?: number;
  /** Default 3. */
  maxRedirects?: number;
  /** Headers added to every request (e.g. an API key); never sent on to another host after a redirect. */
  headers?: Record<string, string>;
  /** Host name resolution; default `dns.lookup` with `all: true`. Every address it returns is checked. */
  resolve?: ResolveHost;
  /** Tool name; default `http_request`. */
  name?: string;
  description?: string;
}

const FORBIDDEN_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'te']);

/** GET and POST to allow-listed hosts only, never to private addresses, within size and time limits. */
export function httpRequest(options: HttpRequestOptions): Tool {
  if (typeof options !== 'object' || options === null) throw new ToolConfigError('httpRequest(options) needs { allow: [hosts] }.');
  const hosts = new HostAllowList(options.allow);
  const addresses = new AddressPolicy(options.allowAddresses);
  const maxBytes = positive(options.maxBytes, 'maxBytes', 1024 * 1024);
  const timeoutMs = positive(options.timeoutMs, 'timeoutMs', 10_000);
  const maxRedirects = options.maxRedirects ?? 3;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0)
    throw new ToolConfigError('httpRequest({ maxRedirects }) must be a whole number ≥ 0.');
  const resolve = options.resolve ?? resolveWithDns;
  const configured = options.headers ?? {};

  return tool({
    name: options.name ?? 'http_request',
    description:
      options.description ??
      `Make an HTTP GET or POST request to one of these hosts: ${options.allow.join(', ')}. Returns the status, content type and body text (at most ${maxBytes} bytes).`,
    input: z.object({
      method: z.enum(['GET', 'POST']).default('GET'),
      url: z.string().describe('Absolute http(s) URL on an allowed host'),
      body: z.string().optional().describe('Request body for POST, usually JSON'),
      headers: z.record(z.string(), z.string()).optional().describe('Extra request headers, e.g. {"accept": "application/json"}'),
    }),
    // The tool's own limit fires first, so the model gets HTTP_TIMEOUT rather than a generic cancel.
    timeoutMs: timeoutMs + 1_000,
    run: async ({ method, url, body, headers }, ctx) => {
      if (method === 'GET' && body !== undefined) {
        throw new ToolCallError('HTTP_BAD_URL', 'A GET request cannot have a body. Use POST, or put the parameters in the URL.');
      }
      const extra: Record<string, string> = {};
      for (const [key, value] of Object.entries(headers ?? {})) {
        if (!FORBIDDEN_HEADERS.has(key.toLowerCase())) extra[key.toLowerCase()] = value;
      }
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([ctx.signal, timeout]);
      try {
        return await guardedFetch(method, url, body, extra, {
          hosts,
          addresses,
          maxBytes,
          maxRedirects,
          resolve,
          headers: configured,
          signal,
        });
      } catch (error) {
        if (timeout.aborted && !ctx.signal.aborted) {
          throw new ToolCallError(
            'HTTP_TIMEOUT',
            `${url} did not answer within ${timeoutMs} ms. Try again later or request something smaller.`,
          );
        }
        throw error;
      }
    },
  });
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ToolConfigError(`httpRequest({ ${name} }) must be a positive number, got ${String(value)}.`);
  }
  return value;
}
