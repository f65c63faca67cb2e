import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from './errors.js';

/** A server started as a child process, spoken to over its stdin and stdout. */
export interface McpStdioSource {
  command: string;
  args?: string[];
  /** Added to the SDK's safe defaults (PATH, HOME, USER, SHELL, TERM, LOGNAME): nothing else of this process's environment is passed. */
  env?: Record<string, string>;
  cwd?: string;
}

/** A server reached over Streamable HTTP. */
export interface McpHttpSource {
  url: string | URL;
  /** Sent with every request, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
}

/** The parts of the SDK's `Client` novaloop uses, so a client from another copy of the SDK is accepted. */
export type McpClient = Pick<Client, 'callTool' | 'listTools' | 'close' | 'getServerVersion'> & {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
};

/** A connected `Client`, a stdio command, or a Streamable HTTP URL (a string or URL, or `{ url, headers }`). */
export type McpSource = McpClient | McpStdioSource | McpHttpSource | string | URL;

export interface Connection {
  client: McpClient;
  /** The command line or URL, for messages. */
  label: string;
  /** Ends the connection (a client the caller passed in is left open). */
  close(): Promise<void>;
  /** The last lines the child wrote to stderr, for the message when it dies. */
  stderrTail(): string;
  /** The child's pid, for a stdio server. */
  pid: number | undefined;
}

const STDERR_KEPT = 2_000;

export async function connect(source: McpSource, timeoutMs: number): Promise<Connection> {
  if (isClient(source)) {
    return {
      client: source,
      label: source.getServerVersion()?.name ?? 'the MCP client',
      close: async () => undefined,
      stderrTail: () => '',
      pid: undefined,
    };
  }
  const client = new Client({ name: 'novaloop', version: '0.1.0' });
  if (typeof source === 'string' || source instanceof URL || 'url' in source) {
    const url = typeof source === 'string' || source instanceof URL ? source : source.url;
    const headers = typeof source === 'object' && 'headers' in source ? source.headers : undefined;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw new McpError(
        'MCP_CONFIG',
        String(url),
        `${String(url)} is not a URL. Pass the server's Streamable HTTP endpoint, e.g. http://127.0.0.1:3000/mcp.`,
        { cause },
      );
    }
    const transport = new StreamableHTTPClientTransport(parsed, headers ? { requestInit: { headers } } : undefined);
    await start(client, transport, parsed.href, timeoutMs, () => '');
    const close = async () => {
      // Ends the session on the server too (an HTTP DELETE), so it need not wait for it to expire.
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    };
    return { client, label: parsed.href, close, stderrTail: () => '', pid: undefined };
  }
  if (typeof source !== 'object' || source === null || typeof source.command !== 'string' || source.command === '') {
    throw new McpError(
      'MCP_CONFIG',
      String(source),
      'mcpTools() needs a connected MCP Client, { command, args?, env? } for a stdio server, or a Streamable HTTP URL.',
    );
  }
  const label = [source.command, ...(source.args ?? [])].join(' ');
  const transport = new StdioClientTransport({
    command: source.command,
    ...(source.args ? { args: source.args } : {}),
    ...(source.env ? { env: source.env } : {}),
    ...(source.cwd ? { cwd: source.cwd } : {}),
    // Piped, not inherited: a server's log lines are kept for the error that explains its death.
    stderr: 'pipe',
  });
  let tail = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_KEPT);
  });
  const stderrTail = () => tail.trim();
  await start(client, transport, label, timeoutMs, stderrTail);
  return { client, label, close: () => client.close(), stderrTail, pid: transport.pid ?? undefined };
}

async function start(
  client: Client,
  transport: StdioClientTransport | StreamableHTTPClientTransport,
  label: string,
  timeoutMs: number,
  stderrTail: () => string,
): Promise<void> {
  try {
    await client.connect(transport, { timeout: timeoutMs });
  } catch (cause) {
    await client.close().catch(() => undefined);
    const stderr = stderrTail();
    throw new McpError(
      'MCP_CONNECT_FAILED',
      label,
      `Could not connect to the MCP server ${label}: ${errorText(cause)}.${stderr ? ` Its stderr ended with: ${stderr}` : ''} ` +
        'Check that the command runs (or the URL answers) on its own, then try again.',
      { cause },
    );
  }
}

function isClient(source: McpSource): source is McpClient {
  return typeof source === 'object' && source !== null && !(source instanceof URL) && typeof (source as McpClient).callTool === 'function';
}

export function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
}
