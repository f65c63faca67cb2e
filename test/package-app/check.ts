// Type-checked by test/package.test.ts with `module: nodenext` and `strict`, against the tarballs.
import { Agent, cascade, classify, extract, tool, type ClassifyResult, type RunResult } from '@novaloop/core';
import { startLocalBedrock, type LocalBedrock } from '@novaloop/bedrock-local';
import { SqliteSessionStore, StoreDriverMissingError } from '@novaloop/memory';
import { mcpTools, McpError, serveMcp, type McpTools } from '@novaloop/mcp';
import { calculator, type ToolCallErrorCode } from '@novaloop/tools';
import { jsonlTraceSink, type TraceLine } from '@novaloop/trace';
import {
  BedrockAgentsError,
  fromBedrockAgent,
  invokeAgentStream,
  type InvokeAgentEvent,
  type MigratedAgent,
} from '@novaloop/bedrock-agents';
import { batch, BatchInputError, type BatchReport } from '@novaloop/batch';
import { z } from 'zod';

const add = tool({
  name: 'add',
  description: 'Adds two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  run: async ({ a, b }) => ({ sum: a + b }),
});
const bedrock: LocalBedrock = await startLocalBedrock({});
const agent = new Agent({ model: 'us.amazon.nova-micro-v1:0', tools: [add], memory: new SqliteSessionStore({ url: ':memory:' }) });
const result: RunResult = await agent.run('hi');
const text: string = result.text;
const deleted: boolean = await new SqliteSessionStore({ url: ':memory:' }).delete('s');
const missing: readonly string[] = new StoreDriverMissingError('X', ['ioredis']).packages;
tool({
  name: 'typed',
  description: 'Its input is typed from its schema',
  input: z.object({ a: z.number() }),
  // @ts-expect-error `a` is a number
  run: ({ a }) => a.toUpperCase(),
});
const micro = 'us.amazon.nova-micro-v1:0';
const routed = new Agent({
  model: cascade({ classifier: micro, routes: { simple: micro, complex: 'us.amazon.nova-pro-v1:0' }, fallback: 'complex' }),
});
const labelled: ClassifyResult<'A' | 'B'> = await classify('x', { labels: ['A', 'B'] as const, client: routed.client });
const extracted: { n: number } = (await extract('x', z.object({ n: z.number() }))).data;
// @ts-expect-error the fallback must be one of the routes
cascade({ classifier: micro, routes: { simple: micro }, fallback: 'other' });
const served = await serveMcp(agent, { name: 'helper', transport: 'http' });
const remote: McpTools = await mcpTools(served.url ?? '', { prefix: 'helper_' });
const collaborator = agent.asTool({ name: 'helper', description: 'Helps' });
const mcpCode: string = new McpError('MCP_CONFIG', 'x', 'y').code;
const sink = jsonlTraceSink('run.jsonl');
const detach: () => void = sink.attach(new Agent({ model: 'us.amazon.nova-micro-v1:0', tools: [calculator()] }));
const code: ToolCallErrorCode = 'SQL_READ_ONLY';
const tickets = [{ id: 't1', text: 'charged twice' }];
const batched = await batch(tickets, { classify: { labels: ['BILLING', 'OTHER'] } }, { dryRun: true, progress: false });
const first = batched.results[0];
const batchLabel: 'BILLING' | 'OTHER' | undefined = first?.ok ? first.value : undefined;
// @ts-expect-error the value is one of the labels, not any string
const notALabel: 'SHIPPING' | undefined = first?.ok ? first.value : undefined;
const extractedBatch: BatchReport<(typeof tickets)[number], { n: number }> = await batch(
  tickets,
  { extract: z.object({ n: z.number() }) },
  { dryRun: true },
);
const batchError: string = new BatchInputError('BATCH_CONFIG', 'x').code;
const line: TraceLine | undefined = undefined;
const migrated: MigratedAgent = await fromBedrockAgent({ agentId: 'AGENT00001', agentAliasId: 'ALIAS00001' });
const agentsCode: string = new BedrockAgentsError('AGENT_NOT_FOUND', 'x').code;
for await (const event of invokeAgentStream(migrated, { inputText: 'hi', sessionId: 'session-1' })) {
  const typed: InvokeAgentEvent = event;
  if (typed.chunk) console.log(typed.chunk.bytes.byteLength);
}
// @ts-expect-error `agentId` is required
void fromBedrockAgent({ agentAliasId: 'ALIAS00001' });
console.log(text, deleted, missing, bedrock.endpoint, labelled.label, extracted.n, result.route, result.usageByModel);
console.log(remote.tools.length, collaborator.name, mcpCode, detach, code, line, agentsCode);
console.log(batchLabel, notALabel, extractedBatch.estimate, batchError);
