// The infrastructure assistant from the "Direct Nova Pro" example, on bedrock-local: two tools, one
// question, a hand-written Converse tool loop on the real AWS SDK. It prints every step as Bedrock
// Agents' trace would: rationale, tool call, observation, tokens and time.
//
// Until @novaloop/core's Agent lands, this loop is written out by hand; it is also the "raw SDK loop"
// novaloop is measured against.
import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ContentBlock,
  type Message,
  type Tool,
  type ToolResultBlock,
} from '@aws-sdk/client-bedrock-runtime';
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { fileURLToPath } from 'node:url';

const MODEL = 'us.amazon.nova-pro-v1:0';
const QUESTION = 'How many failed ECS tasks do we have in the last hour?';

const tools: Tool[] = [
  {
    toolSpec: {
      name: 'query_database',
      description: 'Run a read-only SQL query against the operations database',
      inputSchema: { json: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
    },
  },
  {
    toolSpec: {
      name: 'get_service_status',
      description: 'Get current health status of an AWS service or ECS task',
      inputSchema: { json: { type: 'object', properties: { service_name: { type: 'string' } }, required: ['service_name'] } },
    },
  },
];

// Stand-ins for the real tools: the demo runs offline. Tool results are JSON documents.
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const runTool: Record<string, (input: { [key: string]: Json }) => { [key: string]: Json }> = {
  query_database: () => ({
    rows: [
      { service: 'payments-api', failed: 5 },
      { service: 'report-worker', failed: 2 },
    ],
  }),
  get_service_status: (input) => ({
    service: input.service_name ?? null,
    status: 'degraded',
    running: 2,
    desired: 4,
    last_failure: 'OutOfMemoryError',
  }),
};

const server = await startLocalBedrock({
  script: fileURLToPath(new URL('../scripts/infra-assistant.json', import.meta.url)),
  latencyMs: 40,
});
const client = new BedrockRuntimeClient({
  region: 'us-east-1',
  endpoint: server.endpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

const dim = (s: string) => `\x1b[2m${s}\x1b[0m`;
console.log(`bedrock-local at ${server.endpoint}; model ${MODEL}\n`);
console.log(`User: ${QUESTION}\n`);

const messages: Message[] = [{ role: 'user', content: [{ text: QUESTION }] }];
const total = { input: 0, output: 0 };
try {
  for (let step = 1; step <= 10; step++) {
    const started = performance.now();
    const response = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        system: [{ text: 'You are an infrastructure assistant. Use the tools to answer with facts.' }],
        messages,
        toolConfig: { tools },
        inferenceConfig: { maxTokens: 3000, temperature: 0 },
      }),
    );
    const ms = performance.now() - started;
    const message = response.output!.message!;
    messages.push(message);
    total.input += response.usage?.inputTokens ?? 0;
    total.output += response.usage?.outputTokens ?? 0;
    console.log(
      `Step ${step} ${dim(`(${response.usage?.inputTokens} in / ${response.usage?.outputTokens} out tokens, ${ms.toFixed(0)} ms, ${response.stopReason})`)}`,
    );

    const results: ContentBlock[] = [];
    for (const block of message.content ?? []) {
      const thinking = block.text?.match(/<thinking>([\s\S]*?)<\/thinking>/);
      if (thinking) console.log(`  rationale:   ${thinking[1]!.trim()}`);
      else if (block.text) console.log(`\nAnswer: ${block.text}`);
      if (block.toolUse) {
        const { toolUseId, name = '', input } = block.toolUse;
        console.log(`  tool call:   ${name}(${JSON.stringify(input)})`);
        const output = runTool[name]?.(input as { [key: string]: Json }) ?? { error: `unknown tool ${name}` };
        console.log(`  observation: ${JSON.stringify(output)}`);
        const toolResult: ToolResultBlock = { toolUseId, content: [{ json: output }] };
        results.push({ toolResult });
      }
    }
    if (response.stopReason !== 'tool_use') break;
    messages.push({ role: 'user', content: results });
  }
  console.log(`\nRun: ${server.requests.length} model calls, ${total.input} input + ${total.output} output tokens`);
} finally {
  client.destroy();
  await server.close();
}
