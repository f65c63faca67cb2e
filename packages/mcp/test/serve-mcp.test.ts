import { startLocalBedrock, type LocalBedrock } from '@novaloop/bedrock-local';
import { Agent, type ToolContext } from '@novaloop/core';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { mcpTools, serveMcp, type McpServing, type McpTools } from '../src/index.js';
import { isAlive } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ctx = (signal = new AbortController().signal): ToolContext => ({
  signal,
  toolUseId: 'tooluse_1',
  runId: 'run',
  sessionId: 'session',
  stepIndex: 0,
  session: { attributes: {}, set: () => undefined },
});

async function bedrock(options: Parameters<typeof startLocalBedrock>[0] = {}): Promise<LocalBedrock> {
  const server = await startLocalBedrock(options);
  cleanups.push(() => server.close());
  return server;
}
function agentOn(server: LocalBedrock, model = 'us.amazon.nova-lite-v1:0'): Agent {
  const agent = new Agent({
    model,
    system: 'You answer billing questions.',
    clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
  });
  cleanups.push(() => agent.close());
  return agent;
}
async function tools(...args: Parameters<typeof mcpTools>): Promise<McpTools> {
  const set = await mcpTools(...args);
  cleanups.push(() => set.close());
  return set;
}
const text = (value: unknown) => (value as { blocks: { text?: string }[] }).blocks.map((block) => block.text).join('');

describe('serveMcp over Streamable HTTP', () => {
  it('serves the agent as one MCP tool; one MCP session is one agent session', async () => {
    const server = await bedrock({ responder: (call) => ({ content: [{ text: `Answer ${call.turnIndex + 1}: $42.` }] }) });
    const serving: McpServing = await serveMcp(agentOn(server), {
      name: 'billing',
      description: 'Answers billing questions',
      transport: 'http',
    });
    cleanups.push(() => serving.close());
    expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const first = await tools(serving.url as string);
    expect(first.tools.map((tool) => [tool.name, tool.description])).toEqual([['billing', 'Answers billing questions']]);
    const billing = first.tools[0]!;
    expect(text(await billing.execute({ request: 'March total?' }, ctx()))).toBe('Answer 1: $42.');
    expect(text(await billing.execute({ request: 'And April?' }, ctx()))).toBe('Answer 2: $42.');
    // Another client is another session.
    const second = await tools(serving.url as string);
    expect(text(await second.tools[0]!.execute({ request: 'March total?' }, ctx()))).toBe('Answer 1: $42.');
    expect(server.requests.map((request) => (request.body as { messages: unknown[] }).messages.length)).toEqual([1, 3, 1]);
    expect(serving.openSessions).toBe(2);
    // close() ends the MCP session on the server too.
    await first.close();
    await second.close();
    expect(serving.openSessions).toBe(0);
  });

  it('a run that fails is an isError result, and a bad request says how to call', async () => {
    const server = await bedrock();
    server.injectFaults({ fault: { kind: 'model-error' }, times: Infinity });
    const serving = await serveMcp(agentOn(server), { name: 'billing', transport: 'http' });
    cleanups.push(() => serving.close());
    const set = await tools(serving.url as string);
    const result = await set.tools[0]!.execute({ request: 'x' }, ctx());
    expect(result).toMatchObject({ status: 'error', blocks: [{ text: expect.stringMatching(/^The billing agent failed: /) }] });
    const raw = await set.client.callTool({ name: 'billing', arguments: { request: '' } });
    expect(raw).toMatchObject({ isError: true, content: [{ text: 'Call billing with { "request": "<what to ask>" }.' }] });
  });

  it('an agent served over MCP is a tool of another agent (MCP round trip)', async () => {
    const server = await bedrock({
      responder: (call) => {
        if (call.modelId === 'us.amazon.nova-lite-v1:0') return { content: [{ text: 'The March total is $42.' }] };
        return call.turnIndex === 0
          ? { content: [{ toolUse: { toolUseId: 'auto', name: 'billing', input: { request: 'March total?' } } }] }
          : { content: [{ text: 'Billing says $42.' }] };
      },
    });
    const serving = await serveMcp(agentOn(server), { name: 'billing', transport: 'http' });
    cleanups.push(() => serving.close());
    const set = await tools(serving.url as string);
    const supervisor = new Agent({
      model: 'us.amazon.nova-pro-v1:0',
      tools: set.tools,
      clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
    });
    cleanups.push(() => supervisor.close());
    const result = await supervisor.run('How much was March?');
    expect(result.text).toBe('Billing says $42.');
    expect(result.steps[0]?.toolCalls[0]?.content).toEqual([{ text: 'The March total is $42.' }]);
  });

  it('rejects a bad name or transport with MCP_CONFIG', async () => {
    const server = await bedrock();
    await expect(serveMcp(agentOn(server), { name: 'bad name' })).rejects.toMatchObject({ code: 'MCP_CONFIG' });
    await expect(serveMcp(agentOn(server), { name: 'ok', transport: 'ws' as never })).rejects.toMatchObject({ code: 'MCP_CONFIG' });
  });
});

describe('serveMcp over stdio', () => {
  it('a child process serving an agent answers over its stdin and stdout, and ends on close()', async () => {
    const server = await bedrock({ responder: (call) => ({ content: [{ text: `stdio answer ${call.turnIndex + 1}` }] }) });
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const set = await tools({
      command: process.execPath,
      args: [
        `${root}node_modules/tsx/dist/cli.mjs`,
        '--conditions=@novaloop/source',
        fileURLToPath(new URL('./fixtures/serve-agent.ts', import.meta.url)),
      ],
      env: {
        PATH: process.env.PATH ?? '',
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    const billing = set.tools[0]!;
    expect(billing.name).toBe('billing');
    expect(text(await billing.execute({ request: 'first' }, ctx()))).toBe('stdio answer 1');
    expect(text(await billing.execute({ request: 'second' }, ctx()))).toBe('stdio answer 2');
    const pid = set.pid as number;
    await set.close();
    expect(isAlive(pid)).toBe(false);
  }, 30_000);
});
