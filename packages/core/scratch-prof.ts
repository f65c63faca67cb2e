import { startLocalBedrock } from '@novaloop/bedrock-local';
import { Agent } from './src/index.js';
import { infraTools, INFRA_SCRIPT, INFRA_QUESTION } from './test/helpers.js';
const server = await startLocalBedrock({ script: INFRA_SCRIPT, recordRequests: false });
const creds = { accessKeyId: 'a', secretAccessKey: 'b' };
const agent = new Agent({
  model: 'us.amazon.nova-pro-v1:0',
  tools: infraTools,
  clientConfig: { endpoint: server.endpoint, credentials: creds },
});
for (let i = 0; i < 1500; i++) await agent.run(INFRA_QUESTION);
await server.close();
agent.close();
