// The same infrastructure assistant on novaloop: the workload's tools, wrapped by `tool()` with zod
// schemas that describe the same JSON as the raw loop's hand-written specs. Everything else is
// novaloop's defaults (its own keep-alive client, greedy decoding for Nova, in-memory sessions).
import { Agent, tool, type Cascade, type PromptCacheMode } from '@novaloop/core';
import type { SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { z } from 'zod';
import { getServiceStatus, GET_SERVICE_STATUS, MODEL, queryDatabase, QUERY_DATABASE } from './workload.js';

const tools = [
  tool({
    name: QUERY_DATABASE.name,
    description: QUERY_DATABASE.description,
    input: z.object({ query: z.string().describe(QUERY_DATABASE.queryDescription) }),
    run: () => queryDatabase(),
  }),
  tool({
    name: GET_SERVICE_STATUS.name,
    description: GET_SERVICE_STATUS.description,
    input: z.object({ service_name: z.string().describe(GET_SERVICE_STATUS.serviceNameDescription) }),
    run: ({ service_name }) => getServiceStatus(service_name),
  }),
];

export interface InfraAgentOptions {
  endpoint: string;
  stream: boolean;
  /** novaloop's default transport (the AWS SDK client) or the lean one. */
  transport?: 'sdk' | 'lean';
  system: string | SystemContentBlock[];
  maxSteps: number;
  /** Only when a scenario says so; novaloop's default is 256. */
  maxSockets?: number;
  /** Scenario 7's lines; default 'off'. */
  promptCache?: PromptCacheMode;
  /** Scenario 7's cascade; default the workload's model (Nova Pro). */
  model?: Cascade;
}

export function infraAgent(options: InfraAgentOptions): Agent {
  return new Agent({
    model: options.model ?? MODEL,
    system: options.system,
    ...(options.promptCache !== undefined ? { promptCache: options.promptCache } : {}),
    tools,
    stream: options.stream,
    ...(options.transport ? { transport: options.transport } : {}),
    maxSteps: options.maxSteps,
    clientConfig: {
      endpoint: options.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}),
    },
  });
}
