import { NovaloopError } from '@novaloop/core';

export type McpErrorCode = 'MCP_CONFIG' | 'MCP_CONNECT_FAILED' | 'MCP_SERVER_CLOSED' | 'MCP_CALL_TIMEOUT' | 'MCP_CALL_FAILED';

/**
 * An MCP server could not be used. `code`: MCP_CONFIG (bad `mcpTools`/`serveMcp` options),
 * MCP_CONNECT_FAILED (the server did not start, connect or list its tools), MCP_SERVER_CLOSED (it
 * exited, crashed or disconnected; later calls fail at once), MCP_CALL_TIMEOUT (a call took longer
 * than `timeoutMs`), MCP_CALL_FAILED (the server answered a call with a protocol error).
 */
export class McpError extends NovaloopError {
  /** Which server: its command line or URL. */
  readonly server: string;

  constructor(code: McpErrorCode, server: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.server = server;
  }
}
