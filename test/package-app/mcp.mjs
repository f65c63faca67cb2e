// An app's ESM program using @novaloop/mcp from its tarball: an agent served over Streamable HTTP,
// called through mcpTools by another agent, both on bedrock-local. Run by test/package.test.ts.
import { Agent } from '@novaloop/core';
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { mcpTools, serveMcp } from '@novaloop/mcp';

const bedrock = await startLocalBedrock({
  responder: (call) => {
    if (call.modelId === 'us.amazon.nova-lite-v1:0') return { content: [{ text: 'The total is $42.' }] };
    return call.turnIndex === 0
      ? { content: [{ toolUse: { toolUseId: 'auto', name: 'billing', input: { request: 'Total?' } } }] }
      : { content: [{ text: 'Billing says $42.' }] };
  },
});
const clientConfig = { region: 'us-east-1', endpoint: bedrock.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const billing = new Agent({ model: 'us.amazon.nova-lite-v1:0', clientConfig });
const serving = await serveMcp(billing, { name: 'billing', transport: 'http' });
const remote = await mcpTools(serving.url);
const supervisor = new Agent({ model: 'us.amazon.nova-micro-v1:0', tools: remote.tools, clientConfig });
try {
  const result = await supervisor.run('How much?');
  console.log(JSON.stringify({ text: result.text, toolResult: result.steps[0]?.toolCalls[0]?.content }));
} finally {
  supervisor.close();
  billing.close();
  await remote.close();
  await serving.close();
  await bedrock.close();
}
