// The example's local MCP server: the infrastructure tools, served over stdio with the MCP SDK's
// server API. Any MCP client can use it: `node examples/multi-agent/ops-mcp-server.mjs`.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const SERVICES = {
  'payments-api': { status: 'degraded', running: 2, desired: 4, last_restart: 'OutOfMemoryError at 09:12 UTC' },
  'report-worker': { status: 'healthy', running: 3, desired: 3, last_restart: null },
};

const service = {
  type: 'object',
  properties: { service: { type: 'string', description: 'ECS service name, e.g. payments-api' } },
  required: ['service'],
};

const server = new Server({ name: 'ops', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [
    // A hyphenated MCP name: novaloop calls it get_service_status (Nova fails on hyphens) and maps it back.
    { name: 'get-service-status', description: 'Health of an ECS service: running and desired tasks, last restart', inputSchema: service },
    { name: 'list-services', description: 'The ECS services of the cluster', inputSchema: { type: 'object', properties: {} } },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, ({ params }) => {
  if (params.name === 'list-services') return { content: [{ type: 'text', text: Object.keys(SERVICES).join(', ') }] };
  const name = params.arguments?.service;
  const found = SERVICES[name];
  if (!found) return { isError: true, content: [{ type: 'text', text: `No ECS service ${name}. Call list-services for the names.` }] };
  const status = { service: name, ...found };
  return { content: [{ type: 'text', text: JSON.stringify(status) }], structuredContent: status };
});
await server.connect(new StdioServerTransport());
