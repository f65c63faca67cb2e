import {
  startLocalBedrock,
  validateConverseRequest,
  resolveModel,
  type LocalBedrock,
  type LocalBedrockOptions,
} from '@novaloop/bedrock-local';
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { afterEach, type TestContext } from 'vitest';
import { z } from 'zod';
import { Agent, tool, type AgentOptions } from '../src/index.js';

export const NOVA_PRO = 'us.amazon.nova-pro-v1:0';

/**
 * The transport the suite runs on: the vitest project `core-lean` sets NOVALOOP_TEST_TRANSPORT=lean,
 * so every agent a test makes without its own `client` goes over the lean transport there.
 */
export const TEST_TRANSPORT: 'sdk' | 'lean' = process.env.NOVALOOP_TEST_TRANSPORT === 'lean' ? 'lean' : 'sdk';

/** What a test uses to start bedrock-local and agents on it; all closed when the test ends. */
export interface BedrockKit {
  start(options?: LocalBedrockOptions): Promise<LocalBedrock>;
  agentOn(server: LocalBedrock, options?: Partial<AgentOptions>): Agent;
}

function kit(register: (cleanup: () => Promise<void>) => void): BedrockKit {
  return {
    async start(options) {
      // Signatures are checked, so every test also proves the transport signs correctly.
      const server = await startLocalBedrock({ signatures: { credentials: [LOCAL_CREDENTIALS] }, ...options });
      register(() => server.close());
      return server;
    },
    agentOn(server, options = {}) {
      const agent = new Agent({
        model: NOVA_PRO,
        ...(options.client ? {} : { transport: TEST_TRANSPORT }),
        clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS },
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
        ...options,
      });
      register(async () => agent.close());
      return agent;
    },
  };
}

/** For sequential suites: servers and agents are closed after each test. */
export function useBedrock(): BedrockKit {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
  return kit((cleanup) => cleanups.push(cleanup));
}

/** For `describe.concurrent`: cleanup is tied to this test, not to whichever test ends first. */
export const bedrockFor = (context: TestContext): BedrockKit => kit((cleanup) => context.onTestFinished(cleanup));

// Frozen on purpose: the SDK writes to its credentials object, so this proves the agent copies them.
export const LOCAL_CREDENTIALS = Object.freeze({ accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' });

/** The bodies bedrock-local received, as sent. */
export const bodies = (server: LocalBedrock) =>
  server.requests.map((request) => request.body as { messages: Message[]; [key: string]: unknown });

/** Throws bedrock-local's validation error if `messages` (plus tools) is not a valid Converse conversation. */
export function assertValidHistory(messages: Message[], agentTools = infraTools): void {
  validateConverseRequest({ messages, toolConfig: { tools: agentTools.map((t) => t.spec) } }, resolveModel(NOVA_PRO));
}

export const queryDatabase = tool({
  name: 'query_database',
  description: 'Run a read-only SQL query against the operations database',
  input: z.object({ query: z.string() }),
  run: async () => ({
    rows: [
      { service: 'payments-api', failed: 5 },
      { service: 'report-worker', failed: 2 },
    ],
  }),
});

export const getServiceStatus = tool({
  name: 'get_service_status',
  description: 'Get current health status of an AWS service or ECS task',
  input: z.object({ service_name: z.string() }),
  run: async ({ service_name }) => ({ service: service_name, status: 'degraded', running: 2, desired: 4 }),
});

export const infraTools = [queryDatabase, getServiceStatus];

export const INFRA_SCRIPT = new URL('../../../examples/scripts/infra-assistant.json', import.meta.url).pathname;
export const INFRA_QUESTION = 'How many failed ECS tasks do we have in the last hour?';

/** A toolUse turn for scripts. */
export const useTool = (name: string, input: Record<string, unknown>, thinking?: string) => ({
  content: [...(thinking ? [{ text: `<thinking>${thinking}</thinking>` }] : []), { toolUse: { toolUseId: 'auto', name, input } }],
});
export const say = (
  text: string,
  stopReason?: 'end_turn' | 'max_tokens' | 'guardrail_intervened' | 'content_filtered' | 'stop_sequence',
) => ({
  content: [{ text }],
  ...(stopReason ? { stopReason } : {}),
});
