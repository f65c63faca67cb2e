import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, ToolCallError, ToolConfigError } from '../src/index.js';
import { callError, callOk } from './call-tool.js';

// A real server on loopback. Loopback is one of the refused ranges, so each test that should reach
// it allows 127.0.0.1 explicitly, and the refusal tests show what happens without that.
let server: http.Server;
let port = 0;
let hits = 0;
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/hello': (_req, res) => res.end('hello'),
  '/json': (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true }));
  },
  '/echo': (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () =>
      res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null, type: req.headers['content-type'] })),
    );
  },
  '/big': (_req, res) => {
    res.write('x'.repeat(64 * 1024));
    res.end('y'.repeat(64 * 1024));
  },
  '/hang': () => undefined,
  '/to-hello': (_req, res) => redirect(res, `http://127.0.0.1:${port}/hello`),
  '/to-metadata': (_req, res) => redirect(res, 'http://169.254.169.254/latest/meta-data/'),
  '/to-decimal-loopback': (_req, res) => redirect(res, `http://2130706433:${port}/hello`),
  '/to-localhost': (_req, res) => redirect(res, `http://localhost:${port}/hello`),
  '/to-elsewhere': (_req, res) => redirect(res, 'https://evil.example/'),
  '/loop': (_req, res) => redirect(res, `http://127.0.0.1:${port}/loop`),
};

function redirect(res: ServerResponse, location: string) {
  res.writeHead(302, { location });
  res.end();
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    (routes[req.url ?? ''] ?? ((_q, r) => r.writeHead(404).end('not found')))(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const local = (extra: Partial<Parameters<typeof httpRequest>[0]> = {}) =>
  httpRequest({ allow: ['127.0.0.1'], allowAddresses: ['127.0.0.1'], ...extra });

describe('httpRequest: allowed requests', () => {
  it('GETs from an allowed host and returns status, content type and body', async () => {
    const result = await callOk(local(), { url: `http://127.0.0.1:${port}/json` });
    expect(result).toMatchObject({ status: 200, contentType: 'application/json', body: '{"ok":true}', truncated: false, redirects: [] });
  });

  it('POSTs a body, with the configured headers', async () => {
    const tool = local({ headers: { authorization: 'Bearer secret' } });
    const result = await callOk(tool, { method: 'POST', url: `http://127.0.0.1:${port}/echo`, body: '{"a":1}' });
    expect(JSON.parse(result.body as string)).toEqual({ method: 'POST', body: '{"a":1}', auth: 'Bearer secret', type: 'application/json' });
  });

  it('follows a redirect to an allowed address', async () => {
    const result = await callOk(local(), { url: `http://127.0.0.1:${port}/to-hello` });
    expect(result).toMatchObject({ status: 200, body: 'hello', redirects: [`http://127.0.0.1:${port}/hello`] });
  });

  it('keeps at most maxBytes and says the body was truncated', async () => {
    const result = await callOk(local({ maxBytes: 1000 }), { url: `http://127.0.0.1:${port}/big` });
    expect(result).toMatchObject({ status: 200, bytes: 1000, truncated: true });
    expect(result.body).toBe('x'.repeat(1000));
  });
});

describe('httpRequest: refusals', () => {
  const expectCode = async (tool: ReturnType<typeof httpRequest>, input: unknown, code: string) => {
    const before = hits;
    const error = await callError(tool, input);
    expect(error).toBeInstanceOf(ToolCallError);
    expect(error.code, error.message).toBe(code);
    return { error, reached: hits - before };
  };

  it('refuses hosts that are not on the allow-list, before any connection', async () => {
    const tool = local();
    const { error, reached } = await expectCode(tool, { url: 'https://example.com/' }, 'HTTP_HOST_NOT_ALLOWED');
    expect(error.message).toContain('allow-list (127.0.0.1)');
    expect(reached).toBe(0);
    // *.example.com covers subdomains, not the bare domain or look-alikes.
    const wildcard = httpRequest({ allow: ['*.example.com'] });
    await expectCode(wildcard, { url: 'https://example.com/' }, 'HTTP_HOST_NOT_ALLOWED');
    await expectCode(wildcard, { url: 'https://badexample.com/' }, 'HTTP_HOST_NOT_ALLOWED');
    await expectCode(wildcard, { url: 'https://example.com.evil.test/' }, 'HTTP_HOST_NOT_ALLOWED');
  });

  it('refuses a loopback server unless its address is explicitly allowed', async () => {
    const { error, reached } = await expectCode(
      httpRequest({ allow: ['127.0.0.1'] }),
      { url: `http://127.0.0.1:${port}/hello` },
      'HTTP_ADDRESS_BLOCKED',
    );
    expect(error.message).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(reached).toBe(0);
  });

  it('checks the addresses a name resolves to: localhost resolves to loopback and is refused', async () => {
    const { reached } = await expectCode(
      httpRequest({ allow: ['localhost'] }),
      { url: `http://localhost:${port}/hello` },
      'HTTP_ADDRESS_BLOCKED',
    );
    expect(reached).toBe(0);
  });

  it('refuses names resolving to private, link-local, metadata and IPv4-mapped addresses', async () => {
    for (const address of [
      '10.0.0.5',
      '192.168.1.1',
      '172.16.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      'fd00::1',
      'fd00:ec2::254',
      'fe80::1',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
    ]) {
      const family = address.includes(':') ? 6 : 4;
      const tool = httpRequest({ allow: ['internal.example'], resolve: async () => [{ address, family }] });
      const { error } = await expectCode(tool, { url: 'http://internal.example/' }, 'HTTP_ADDRESS_BLOCKED');
      expect(error.message).toContain(address);
    }
  });

  it('connects only to the addresses it checked (a rebinding resolver cannot switch after the check)', async () => {
    // First answer public, then loopback: each connection resolves once, inside the socket's lookup,
    // so the address checked is the address used. Here the one resolution is loopback and refused.
    let calls = 0;
    const resolve = async () => {
      calls++;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const { reached } = await expectCode(
      httpRequest({ allow: ['rebind.example'], resolve }),
      { url: `http://rebind.example:${port}/hello` },
      'HTTP_ADDRESS_BLOCKED',
    );
    expect(reached).toBe(0);
    expect(calls).toBe(1);
    // With the loopback address allowed, the same resolver reaches the real server at that address.
    const allowed = httpRequest({ allow: ['rebind.example'], allowAddresses: ['127.0.0.1'], resolve });
    expect(await callOk(allowed, { url: `http://rebind.example:${port}/hello` })).toMatchObject({ status: 200, body: 'hello' });
  });

  it('refuses the metadata address and decimal, octal, hex and short IPv4 spellings of loopback', async () => {
    await expectCode(
      httpRequest({ allow: ['169.254.169.254'] }),
      { url: 'http://169.254.169.254/latest/meta-data/' },
      'HTTP_ADDRESS_BLOCKED',
    );
    for (const host of ['2130706433', '0177.0.0.1', '0x7f.0.0.1', '127.1', '017700000001']) {
      const { reached } = await expectCode(
        httpRequest({ allow: ['127.0.0.1'] }),
        { url: `http://${host}:${port}/hello` },
        'HTTP_ADDRESS_BLOCKED',
      );
      expect(reached).toBe(0);
    }
    // Listing a strange spelling in the allow-list does not sneak the address past the address rules.
    await expectCode(httpRequest({ allow: ['2130706433'] }), { url: `http://2130706433:${port}/hello` }, 'HTTP_ADDRESS_BLOCKED');
  });

  it('refuses IPv6 literals for unique-local, link-local and IPv4-mapped loopback', async () => {
    for (const host of ['[fd00::1]', '[fe80::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::1]', '[::ffff:169.254.169.254]']) {
      const tool = httpRequest({ allow: [host] });
      await expectCode(tool, { url: `http://${host}:${port}/` }, 'HTTP_ADDRESS_BLOCKED');
    }
  });

  it('refuses redirects to blocked addresses and to hosts off the allow-list', async () => {
    const tool = httpRequest({ allow: ['127.0.0.1', '169.254.169.254', 'localhost'], allowAddresses: ['127.0.0.1/32'] });
    const metadata = await expectCode(tool, { url: `http://127.0.0.1:${port}/to-metadata` }, 'HTTP_ADDRESS_BLOCKED');
    expect(metadata.error.message).toContain('169.254.169.254');
    await expectCode(local(), { url: `http://127.0.0.1:${port}/to-elsewhere` }, 'HTTP_HOST_NOT_ALLOWED');
    // The decimal spelling in a Location header is the same loopback address, normalised first.
    await expectCode(
      httpRequest({ allow: ['127.0.0.1'], allowAddresses: ['127.0.0.2'] }),
      { url: `http://127.0.0.1:${port}/to-decimal-loopback` },
      'HTTP_ADDRESS_BLOCKED',
    );
    await expectCode(local(), { url: `http://127.0.0.1:${port}/loop` }, 'HTTP_TOO_MANY_REDIRECTS');
  });

  it('does not send configured headers to another host after a redirect', async () => {
    // localhost resolves to 127.0.0.1 (allowed here) and maybe ::1 (not allowed, so skipped).
    const tool = httpRequest({
      allow: ['127.0.0.1', 'localhost'],
      allowAddresses: ['127.0.0.1'],
      headers: { authorization: 'Bearer secret' },
    });
    routes['/to-localhost-echo'] = (_req, res) => redirect(res, `http://localhost:${port}/echo`);
    const result = await callOk(tool, { url: `http://127.0.0.1:${port}/to-localhost-echo` });
    expect(JSON.parse(result.body as string).auth).toBeNull();
  });

  it('gives up after timeoutMs with HTTP_TIMEOUT', async () => {
    const { error } = await expectCode(local({ timeoutMs: 300 }), { url: `http://127.0.0.1:${port}/hang` }, 'HTTP_TIMEOUT');
    expect(error.message).toContain('300 ms');
  });

  it('refuses non-http URLs, credentials in URLs and a GET with a body', async () => {
    await expectCode(local(), { url: 'file:///etc/passwd' }, 'HTTP_BAD_URL');
    await expectCode(local(), { url: 'not a url' }, 'HTTP_BAD_URL');
    await expectCode(local(), { url: `http://user:pw@127.0.0.1:${port}/hello` }, 'HTTP_BAD_URL');
    await expectCode(local(), { url: `http://127.0.0.1:${port}/hello`, body: 'x' }, 'HTTP_BAD_URL');
  });

  it('rejects bad configuration when the tool is created', () => {
    expect(() => httpRequest({ allow: [] })).toThrow(ToolConfigError);
    expect(() => httpRequest({ allow: ['https://example.com/path'] })).toThrow(/not a host name/);
    expect(() => httpRequest({ allow: ['example.com'], allowAddresses: ['localhost'] })).toThrow(/not an IP address or CIDR/);
    expect(() => httpRequest({ allow: ['example.com'], maxBytes: 0 })).toThrow(ToolConfigError);
  });
});
