export { mcpTools } from './mcp-tools.js';
export type { McpTools, McpToolsOptions } from './mcp-tools.js';
export type { McpSource, McpStdioSource, McpHttpSource, McpClient } from './connect.js';
export { serveMcp } from './serve-mcp.js';
export type { ServeMcpOptions, McpServing } from './serve-mcp.js';
export { McpError } from './errors.js';
export type { McpErrorCode } from './errors.js';
