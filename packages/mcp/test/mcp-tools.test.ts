import { startLocalBedrock, type LocalBedrock } from '@novaloop/bedrock-local';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Agent, type Tool, type ToolContext, type TracePart } from '@novaloop/core';
import { afterEach, describe, expect, it } from 'vitest';
import { mcpTools, McpError, type McpTools } from '../src/index.js';
import { safeToolNames } from '../src/safe-names.js';
import { isAlive, startHttpOps, stdioOps } from './helpers.js';

const opened: McpTools[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all([...opened.splice(0).map((set) => set.close()), ...cleanups.splice(0).map((cleanup) => cleanup())]);
});
async function open(...args: Parameters<typeof mcpTools>): Promise<McpTools> {
  const set = await mcpTools(...args);
  opened.push(set);
  return set;
}

const ctx = (signal = new AbortController().signal): ToolContext => ({
  signal,
  toolUseId: 'tooluse_1',
  runId: 'run',
  sessionId: 'session',
  stepIndex: 0,
  session: { attributes: {}, set: () => undefined },
});
const byName = (set: McpTools, name: string) => set.tools.find((t) => t.name === name) as Tool;

describe('mcpTools over stdio (a child process)', () => {
  it('lists the tools with Nova-safe names and schemas, mapped back without collisions', async () => {
    const set = await open(stdioOps());
    expect([...set.names.keys()]).toEqual([
      'get_host_status',
      expect.stringMatching(/^get_host_status_[0-9a-f]{8}$/),
      'render_chart',
      'restart',
      'crash',
      'hang',
      expect.stringMatching(/^list_very_.*_[0-9a-f]{8}$/),
    ]);
    expect([...set.names.values()]).toContain('get-host.status');
    expect(set.names.get('get_host_status')).toBe('get-host.status');
    for (const entry of set.tools) expect(entry.name).toMatch(/^[a-zA-Z0-9_]{1,64}$/);
    expect(byName(set, 'restart').inputSchema).toEqual({
      type: 'object',
      properties: { host: { type: 'string', description: 'A host name, e.g. web-1' } },
      required: ['host'],
    });
    expect(byName(set, 'restart').schemaNotes).toEqual([expect.stringMatching(/additionalProperties/)]);
  });

  it('calls the MCP tool by its own name and maps results to Converse blocks', async () => {
    const set = await open(stdioOps());
    const v1 = await byName(set, 'get_host_status').execute({ host: 'web-1' }, ctx());
    expect(v1).toMatchObject({ status: 'success', blocks: [{ json: { host: 'web-1', healthy: true, version: 1 } }] });
    const v2name = [...set.names].find(([, mcp]) => mcp === 'get_host_status')?.[0] as string;
    expect(await byName(set, v2name).execute({ host: 'db-1' }, ctx())).toMatchObject({
      blocks: [{ json: { healthy: false, version: 2 } }],
    });
    const chart = (await byName(set, 'render_chart').execute({ host: 'web-1' }, ctx())) as { blocks: unknown[] };
    expect(chart.blocks).toEqual([
      { text: 'CPU of web-1' },
      { image: { format: 'png', source: { bytes: expect.any(Uint8Array) } } },
      { text: expect.stringMatching(/audio \(audio\/wav\) was left out/) },
    ]);
    expect(await byName(set, 'restart').execute({ host: 'web-1' }, ctx())).toMatchObject({
      status: 'error',
      blocks: [{ text: 'Restarting web-1 needs an approved change ticket.' }],
    });
  });

  it('allow, deny and prefix choose and name the tools; unknown names are a typed error', async () => {
    const allowed = await open(stdioOps(), { allow: ['restart', 'get-host.status'], prefix: 'ops_' });
    expect([...allowed.names]).toEqual([
      ['ops_get_host_status', 'get-host.status'],
      ['ops_restart', 'restart'],
    ]);
    const denied = await open(stdioOps(), { deny: ['crash', 'hang'] });
    expect([...denied.names.values()]).not.toContain('crash');
    expect(denied.tools).toHaveLength(5);
    const error = await mcpTools(stdioOps(), { allow: ['reboot'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect(error).toMatchObject({ code: 'MCP_CONFIG', message: expect.stringMatching(/reboot.*Its tools are: get-host.status/) });
    await expect(mcpTools(stdioOps(), { prefix: 'ops-' })).rejects.toMatchObject({ code: 'MCP_CONFIG' });
  });

  it('a command that does not start is MCP_CONNECT_FAILED, with its stderr', async () => {
    const error = await mcpTools(
      { command: process.execPath, args: ['-e', 'console.error("no config file"); process.exit(2)'] },
      { timeoutMs: 5_000 },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MCP_CONNECT_FAILED', message: expect.stringMatching(/no config file/) });
  });

  it('a server that crashes mid-call gives that call an error, and the next call MCP_SERVER_CLOSED at once', async () => {
    const set = await open(stdioOps());
    const crash = byName(set, 'crash').execute({}, ctx());
    await expect(crash).rejects.toMatchObject({ code: 'MCP_SERVER_CLOSED', message: expect.stringMatching(/crashing on purpose/) });
    const started = Date.now();
    await expect(byName(set, 'restart').execute({ host: 'web-1' }, ctx())).rejects.toMatchObject({
      code: 'MCP_SERVER_CLOSED',
      message: expect.stringMatching(/cannot be called any more/),
    });
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('a call that hangs times out as MCP_CALL_TIMEOUT, and the server still answers the next call', async () => {
    const set = await open(stdioOps(), { timeoutMs: 300 });
    await expect(byName(set, 'hang').execute({}, ctx())).rejects.toMatchObject({ code: 'MCP_CALL_TIMEOUT' });
    expect(await byName(set, 'restart').execute({ host: 'web-2' }, ctx())).toMatchObject({ status: 'error' });
  });

  it("the run's abort cancels a call in progress", async () => {
    const set = await open(stdioOps());
    const controller = new AbortController();
    const call = byName(set, 'hang').execute({}, ctx(controller.signal));
    setTimeout(() => controller.abort(new Error('user cancelled')), 50);
    await expect(call).rejects.toThrow();
  });

  it('close() ends the child process, and later calls fail with MCP_SERVER_CLOSED', async () => {
    const set = await mcpTools(stdioOps());
    const pid = set.pid as number;
    expect(isAlive(pid)).toBe(true);
    await set.close();
    expect(isAlive(pid)).toBe(false);
    await expect(byName(set, 'restart').execute({ host: 'x' }, ctx())).rejects.toMatchObject({ code: 'MCP_SERVER_CLOSED' });
  });

  it('takes a connected Client, and leaves it open on close()', async () => {
    const client = new Client({ name: 'test', version: '1' });
    const transport = new StdioClientTransport({ ...stdioOps(), stderr: 'ignore' });
    await client.connect(transport);
    cleanups.push(() => client.close());
    const set = await mcpTools(client, { allow: ['restart'] });
    await set.close();
    expect(await client.listTools()).toMatchObject({ tools: expect.any(Array) });
  });
});

describe('mcpTools with a tool Nova cannot take', () => {
  it('is a ToolDefinitionError naming the tool and the deny option; with deny, the other tools work', async () => {
    const connectClient = async () => {
      const server = new Server({ name: 'odd', version: '1' }, { capabilities: { tools: {} } });
      server.setRequestHandler(ListToolsRequestSchema, () => ({
        tools: [
          {
            name: 'tree',
            description: 'Recursive input',
            inputSchema: {
              type: 'object',
              properties: { node: { $ref: '#/$defs/node' } },
              $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } },
            },
          },
          { name: 'ping', description: 'Answers pong', inputSchema: { type: 'object' } },
        ],
      }));
      server.setRequestHandler(CallToolRequestSchema, () => ({ content: [{ type: 'text', text: 'pong' }] }));
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      const client = new Client({ name: 'test', version: '1' });
      await client.connect(clientSide);
      cleanups.push(async () => {
        await client.close();
        await server.close();
      });
      return client;
    };
    await expect(mcpTools(await connectClient())).rejects.toMatchObject({
      code: 'TOOL_DEFINITION',
      toolName: 'tree',
      message: expect.stringMatching(/recursive.*pass deny: \["tree"\]/s),
    });
    const set = await mcpTools(await connectClient(), { deny: ['tree'] });
    expect(await set.tools[0]?.execute({}, ctx())).toMatchObject({ blocks: [{ text: 'pong' }] });
  });
});

describe('mcpTools over Streamable HTTP (loopback)', () => {
  it('lists and calls tools, with headers sent', async () => {
    const server = await startHttpOps();
    cleanups.push(() => server.stop());
    const seen: string[] = [];
    server.http.prependListener('request', (req) => seen.push(String(req.headers['x-team'])));
    const set = await open({ url: server.url, headers: { 'x-team': 'sre' } });
    expect(set.tools).toHaveLength(7);
    expect(await byName(set, 'get_host_status').execute({ host: 'web-1' }, ctx())).toMatchObject({ blocks: [{ json: { healthy: true } }] });
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set(['sre']));
  });

  it('a server that disconnects mid-call gives that call an error, and the next call MCP_SERVER_CLOSED', async () => {
    const server = await startHttpOps();
    const set = await open(server.url, { timeoutMs: 5_000 });
    const hanging = byName(set, 'hang').execute({}, ctx());
    setTimeout(() => void server.stop(), 100);
    const started = Date.now();
    await expect(hanging).rejects.toBeInstanceOf(McpError);
    expect(Date.now() - started).toBeLessThan(4_500);
    await expect(byName(set, 'restart').execute({ host: 'x' }, ctx())).rejects.toMatchObject({ code: 'MCP_SERVER_CLOSED' });
  });

  it('a URL nobody answers is MCP_CONNECT_FAILED', async () => {
    const server = await startHttpOps();
    await server.stop();
    await expect(mcpTools(server.url, { timeoutMs: 2_000 })).rejects.toMatchObject({ code: 'MCP_CONNECT_FAILED' });
    await expect(mcpTools('not a url')).rejects.toMatchObject({ code: 'MCP_CONFIG' });
  });
});

describe('MCP tools in an agent run on bedrock-local', () => {
  let bedrock: LocalBedrock | undefined;
  afterEach(async () => bedrock?.close());

  it('the model calls MCP tools by their safe names; isError, crash and the call after it are error results, never a hung run', async () => {
    bedrock = await startLocalBedrock({
      script: {
        turns: [
          {
            content: [
              { toolUse: { toolUseId: 'auto', name: 'get_host_status', input: { host: 'web-1' } } },
              { toolUse: { toolUseId: 'auto', name: 'restart', input: { host: 'web-1' } } },
            ],
          },
          { content: [{ toolUse: { toolUseId: 'auto', name: 'crash', input: {} } }] },
          { content: [{ toolUse: { toolUseId: 'auto', name: 'get_host_status', input: { host: 'web-2' } } }] },
          { content: [{ text: 'web-1 is healthy; the ops server is gone.' }] },
        ],
      },
    });
    const set = await open(stdioOps());
    const agent = new Agent({
      model: 'us.amazon.nova-pro-v1:0',
      tools: set.tools,
      clientConfig: { endpoint: bedrock.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
    });
    cleanups.push(async () => agent.close());
    const result = await agent.run('Check web-1 and restart it');
    expect(result.text).toBe('web-1 is healthy; the ops server is gone.');
    const calls = result.steps.flatMap((step) => step.toolCalls);
    expect(calls.map((call) => [call.name, call.status])).toEqual([
      ['get_host_status', 'success'],
      ['restart', 'error'],
      ['crash', 'error'],
      ['get_host_status', 'error'],
    ]);
    expect(calls[0]?.content).toEqual([{ json: { host: 'web-1', healthy: true, version: 1 } }]);
    expect(calls[1]?.error).toBe('Restarting web-1 needs an approved change ticket.');
    expect(calls[3]?.error).toMatch(/cannot be called any more/);
    const notes = result.trace
      .map((part: TracePart) => ('orchestrationTrace' in part.trace ? part.trace.orchestrationTrace : undefined))
      .flatMap((o) =>
        o && 'invocationInput' in o && o.invocationInput.invocationType === 'ACTION_GROUP'
          ? [o.invocationInput.actionGroupInvocationInput.schemaNotes]
          : [],
      );
    expect(notes[0]).toEqual([expect.stringMatching(/"additionalProperties" of get_host_status/)]);
  });
});

describe('safeToolNames', () => {
  it('keeps safe names, replaces the rest, cuts to 64 and never maps two names to one', () => {
    const names = safeToolNames(['a.b', 'a-b', 'a_b', 'x'.repeat(80), `${'x'.repeat(80)}y`]);
    expect(names.size).toBe(5);
    expect(new Set(names.values()).size).toBe(5);
    for (const safe of names.keys()) expect(safe).toMatch(/^[a-zA-Z0-9_]{1,64}$/);
    expect(names.get('a_b')).toBe('a.b');
  });
});
