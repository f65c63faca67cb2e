import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { opsServer } from './fixtures/ops-server.mjs';

export const OPS_SERVER = fileURLToPath(new URL('./fixtures/ops-server.mjs', import.meta.url));
export const stdioOps = () => ({ command: process.execPath, args: [OPS_SERVER] });

/** The ops server over Streamable HTTP (stateless) on loopback. */
export async function startHttpOps(): Promise<{ url: string; http: HttpServer; stop(): Promise<void> }> {
  const http = createServer((req, res) => {
    const server = (opsServer as () => { connect(t: unknown): Promise<void> })();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    void server.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  return {
    url,
    http,
    stop: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
