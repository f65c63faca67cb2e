import { jsonSchemaTool, ToolDefinitionError, type JsonSchemaObject, type Tool, type ToolContext } from '@novaloop/core';
import { connect, errorText, type McpClient, type McpSource } from './connect.js';
import { McpError } from './errors.js';
import { safeToolNames } from './safe-names.js';
import { toConverseBlocks, type McpCallResult } from './to-converse-blocks.js';

export interface McpToolsOptions {
  /** Only these MCP tool names (as the server names them). */
  allow?: string[];
  /** Every tool but these MCP tool names. */
  deny?: string[];
  /** Put before every tool name, e.g. `'github_'`, to keep tools of several servers apart. */
  prefix?: string;
  /** Per call, and for connecting and listing (default 60,000 ms). */
  timeoutMs?: number;
}

/** Tools of one MCP server, and what ends the connection. */
export interface McpTools {
  /** For `new Agent({ tools })`. */
  readonly tools: Tool[];
  /** novaloop tool name -> the MCP server's tool name. */
  readonly names: ReadonlyMap<string, string>;
  /** The connected client (the SDK's). */
  readonly client: McpClient;
  /** The stdio server's process id. */
  readonly pid: number | undefined;
  /**
   * Closes the connection, and ends a stdio server's child process (stdin closed, then SIGTERM,
   * then SIGKILL). A client you passed in is left open. Later calls fail with MCP_SERVER_CLOSED.
   */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Connects to an MCP server and turns its tools into novaloop tools: Nova-safe schemas and names,
 * results as Converse blocks, `isError` as an error result. A server that crashes, hangs or
 * disconnects during a call gives that call an error result (the run goes on), and every later
 * call an `McpError` the model sees at once.
 */
export async function mcpTools(source: McpSource, options: McpToolsOptions = {}): Promise<McpTools> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new McpError('MCP_CONFIG', String(source), `timeoutMs must be a positive number of milliseconds (got ${String(timeoutMs)}).`);
  }
  const prefix = options.prefix ?? '';
  if (!/^[a-zA-Z0-9_]*$/.test(prefix)) {
    throw new McpError('MCP_CONFIG', String(source), `prefix ${JSON.stringify(prefix)} may hold only letters, digits and underscores.`);
  }
  // Starting a server (npx, a cold node) can take longer than a call may: at least 30 s for that.
  const connection = await connect(source, Math.max(timeoutMs, 30_000));
  const { client, label } = connection;
  let closed: McpError | undefined;
  const previousOnClose = client.onclose;
  client.onclose = () => {
    previousOnClose?.();
    const stderr = connection.stderrTail();
    closed ??= new McpError(
      'MCP_SERVER_CLOSED',
      label,
      `The MCP server ${label} has closed the connection (it exited, crashed or disconnected).${stderr ? ` Its stderr ended with: ${stderr}` : ''} ` +
        'Its tools cannot be called any more: answer without them, or restart the server and create the tools again.',
    );
  };

  // A Streamable HTTP response stream cut mid-call is only reported here (the SDK would otherwise
  // wait for the timeout): the calls in flight end at once. The next call tries the server again.
  const inFlight = new Set<AbortController>();
  const previousOnError = client.onerror;
  client.onerror = (error) => {
    previousOnError?.(error);
    if (!/disconnected/i.test(error.message)) return;
    const cut = new McpError(
      'MCP_SERVER_CLOSED',
      label,
      `The MCP server ${label} disconnected during the call (${errorText(error)}). Try again later.`,
      {
        cause: error,
      },
    );
    for (const controller of inFlight) controller.abort(cut);
  };

  try {
    const listed = await listAll(client, Math.max(timeoutMs, 30_000));
    const available = listed.map((entry) => entry.name);
    const unknown = [...(options.allow ?? []), ...(options.deny ?? [])].filter((name) => !available.includes(name));
    if (unknown.length > 0) {
      throw new McpError(
        'MCP_CONFIG',
        label,
        `allow/deny name tools the MCP server ${label} does not have: ${unknown.join(', ')}. Its tools are: ${available.join(', ') || '(none)'}.`,
      );
    }
    const chosen = listed.filter(
      (entry) => (options.allow === undefined || options.allow.includes(entry.name)) && !(options.deny ?? []).includes(entry.name),
    );
    const names = safeToolNames(
      chosen.map((entry) => entry.name),
      prefix,
    );
    const byMcpName = new Map(chosen.map((entry) => [entry.name, entry]));
    const tools = [...names].map(([safe, mcpName]) => {
      const entry = byMcpName.get(mcpName) as ListedTool;
      return withDenyHint(mcpName, () =>
        jsonSchemaTool({
          name: safe,
          description: entry.description?.trim() || entry.title || `The ${mcpName} tool of the MCP server ${label}.`,
          inputSchema: entry.inputSchema as JsonSchemaObject,
          // The per-call timeout bounds the SDK request; this one bounds the whole call in the loop too.
          timeoutMs: timeoutMs + 1_000,
          run: async (input, ctx: ToolContext) => {
            if (closed) throw closed;
            const controller = new AbortController();
            const onAbort = () => controller.abort(ctx.signal.reason);
            ctx.signal.addEventListener('abort', onAbort, { once: true });
            inFlight.add(controller);
            try {
              const result = await client.callTool({ name: mcpName, arguments: input }, undefined, {
                signal: controller.signal,
                timeout: timeoutMs,
              });
              return toConverseBlocks(result as McpCallResult);
            } catch (error) {
              // The SDK wraps an abort's reason in its own error: the reason is the better message.
              if (controller.signal.reason instanceof McpError) throw controller.signal.reason;
              if (ctx.signal.aborted) throw new Error(`The call of ${mcpName} was cancelled.`, { cause: error });
              throw callError(error, mcpName, label, timeoutMs, () => closed);
            } finally {
              inFlight.delete(controller);
              ctx.signal.removeEventListener('abort', onAbort);
            }
          },
        }),
      );
    });
    return {
      tools,
      names,
      client,
      pid: connection.pid,
      async close() {
        closed ??= new McpError(
          'MCP_SERVER_CLOSED',
          label,
          `The MCP tools of ${label} were closed with close(); create them again to use them.`,
        );
        await connection.close();
      },
    };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}

/** A tool whose schema Nova cannot take fails the whole set; the message says how to leave it out. */
function withDenyHint(mcpName: string, make: () => Tool): Tool {
  try {
    return make();
  } catch (error) {
    if (error instanceof ToolDefinitionError) {
      throw new ToolDefinitionError(
        error.toolName,
        `${error.message} To use the server's other tools, pass deny: [${JSON.stringify(mcpName)}].`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

type ListedTool = { name: string; title?: string; description?: string; inputSchema: unknown };

async function listAll(client: McpClient, timeoutMs: number): Promise<ListedTool[]> {
  const all: ListedTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
    all.push(...(page.tools as ListedTool[]));
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

function callError(error: unknown, tool: string, label: string, timeoutMs: number, closed: () => McpError | undefined): Error {
  const gone = closed();
  if (gone) {
    return new McpError(
      'MCP_SERVER_CLOSED',
      label,
      `The MCP server ${label} closed the connection during the call of ${tool}. ${gone.message}`,
      {
        cause: error,
      },
    );
  }
  const code = (error as { code?: unknown }).code;
  if (code === -32001) {
    return new McpError(
      'MCP_CALL_TIMEOUT',
      label,
      `The MCP server ${label} did not answer ${tool} within ${timeoutMs} ms; the call was cancelled. Try again, or ask for less at once.`,
      { cause: error },
    );
  }
  if (isNetworkError(error)) {
    return new McpError(
      'MCP_SERVER_CLOSED',
      label,
      `The MCP server ${label} could not be reached for ${tool} (${errorText(error)}). Answer without it, or try again later.`,
      { cause: error },
    );
  }
  return new McpError('MCP_CALL_FAILED', label, `The MCP server ${label} refused the call of ${tool}: ${errorText(error)}.`, {
    cause: error,
  });
}

function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const text = `${(e as { code?: unknown }).code ?? ''} ${(e as Error).message ?? ''}`;
    if (/ECONNREFUSED|ECONNRESET|EPIPE|socket|fetch failed|terminated|other side closed/i.test(text)) return true;
  }
  return false;
}
