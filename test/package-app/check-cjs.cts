// The CommonJS flavour: `require` of the ESM packages, typed.
import { Agent } from '@novaloop/core';
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { batch, type BatchReport } from '@novaloop/batch';

export const made: Agent = new Agent({ model: 'us.amazon.nova-micro-v1:0' });
export const starting: ReturnType<typeof startLocalBedrock> = startLocalBedrock({});
import { mcpTools } from '@novaloop/mcp';

export const fromMcp: typeof mcpTools = mcpTools;
export const batching: Promise<BatchReport<{ id: string; text: string }, 'A' | 'B'>> = batch(
  [{ id: 'x', text: 'y' }],
  { classify: { labels: ['A', 'B'] } },
  { dryRun: true },
);
import { fromBedrockAgent, type MigratedAgent } from '@novaloop/bedrock-agents';
export const migrating: Promise<MigratedAgent> = fromBedrockAgent({ agentId: 'AGENT00001' });
