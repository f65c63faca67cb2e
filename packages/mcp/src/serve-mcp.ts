import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Agent } from '@novaloop/core';
import { errorText } from './connect.js';
import { McpError } from './errors.js';

export interface ServeMcpOptions {
  /** The MCP tool name the agent is served as (letters, digits, `_` and `-`). */
  name: string;
  /** Tells the calling model what the agent does. Default: a sentence naming the agent. */
  description?: string;
  /** `'stdio'` (this process's stdin and stdout) or `'http'` (Streamable HTTP at `/mcp`). Default `'stdio'`. */
  transport?: 'stdio' | 'http';
  /** For `'http'`: default 0 (a free port) on 127.0.0.1. */
  port?: number;
  host?: string;
}

export interface McpServing {
  /** For `'http'`: the endpoint to give clients, e.g. `http://127.0.0.1:40123/mcp`. */
  readonly url: string | undefined;
  /** MCP sessions open now (HTTP: until the client ends its session or `close()`; stdio: 1). */
  readonly openSessions: number;
  /** Stops serving: open MCP sessions are closed, and runs in progress are cancelled. */
  close(): Promise<void>;
}

/**
 * Serves `agent` as one MCP tool, `{ request: string }` -> the agent's answer as text. Each MCP
 * session (a stdio connection, or an HTTP client's Mcp-Session-Id) is one agent session, so a
 * client's calls continue one conversation. A client's cancellation aborts the run.
 */
export async function serveMcp(agent: Agent, options: ServeMcpOptions): Promise<McpServing> {
  const { name } = options;
  if (typeof name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    throw new McpError('MCP_CONFIG', String(name), `serveMcp: name ${JSON.stringify(name)} must be 1 to 64 letters, digits, _ or -.`);
  }
  const description = options.description ?? `Ask the ${name} agent. Give the whole request: it sees nothing else of your conversation.`;
  const transport = options.transport ?? 'stdio';
  if (transport === 'stdio') {
    const server = agentServer(agent, name, description, `mcp:${name}:${randomUUID()}`);
    await server.connect(new StdioServerTransport());
    return { url: undefined, openSessions: 1, close: () => server.close() };
  }
  if (transport !== 'http') {
    throw new McpError('MCP_CONFIG', name, `serveMcp: transport must be 'stdio' or 'http' (got ${JSON.stringify(transport)}).`);
  }
  return serveHttp(agent, name, description, options.port ?? 0, options.host ?? '127.0.0.1');
}

function agentServer(agent: Agent, name: string, description: string, sessionId: string): Server {
  const server = new Server({ name, version: '0.1.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      {
        name,
        description,
        inputSchema: {
          type: 'object',
          properties: { request: { type: 'string', description: 'What to ask, in full.' } },
          required: ['request'],
        },
      },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    if (request.params.name !== name) {
      return {
        isError: true,
        content: [{ type: 'text', text: `Unknown tool ${request.params.name}. This server has one tool: ${name}.` }],
      };
    }
    const prompt = request.params.arguments?.request;
    if (typeof prompt !== 'string' || prompt.trim() === '') {
      return { isError: true, content: [{ type: 'text', text: `Call ${name} with { "request": "<what to ask>" }.` }] };
    }
    try {
      const result = await agent.run(prompt, { sessionId, signal: extra.signal });
      const failed = result.stopReason === 'aborted' || result.stopReason === 'budget';
      const text = result.text || `(no answer: the run stopped with ${result.stopReason})`;
      return { ...(failed ? { isError: true } : {}), content: [{ type: 'text', text }] };
    } catch (error) {
      return { isError: true, content: [{ type: 'text', text: `The ${name} agent failed: ${errorText(error)}.` }] };
    }
  });
  return server;
}

async function serveHttp(agent: Agent, name: string, description: string, port: number, host: string): Promise<McpServing> {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: Server }>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/mcp') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('The MCP endpoint is /mcp.');
      return;
    }
    const header = req.headers['mcp-session-id'];
    const known = typeof header === 'string' ? sessions.get(header) : undefined;
    if (known) {
      await known.transport.handleRequest(req, res);
      return;
    }
    if (header !== undefined) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found: initialize again.' }, id: null }));
      return;
    }
    // A request without a session starts one (the transport answers anything but initialize with an error).
    const mcpSession = randomUUID();
    const server = agentServer(agent, name, description, `mcp:${name}:${mcpSession}`);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => mcpSession,
      onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
    });
    transport.onclose = () => void sessions.delete(mcpSession);
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };
  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`MCP request failed: ${errorText(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (cause) =>
      reject(
        new McpError('MCP_CONFIG', `${host}:${port}`, `serveMcp could not listen on ${host}:${port}: ${errorText(cause)}.`, { cause }),
      ),
    );
    http.listen(port, host, resolve);
  });
  const address = http.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/mcp`;
  return {
    url,
    get openSessions() {
      return sessions.size;
    },
    async close() {
      await Promise.all([...sessions.values()].map(({ server }) => server.close().catch(() => undefined)));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
