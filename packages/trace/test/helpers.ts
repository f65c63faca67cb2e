import { startLocalBedrock, type LocalBedrock, type LocalBedrockOptions } from '@novaloop/bedrock-local';
import { Agent, tool, type AgentOptions } from '@novaloop/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { z } from 'zod';

export const NOVA_PRO = 'us.amazon.nova-pro-v1:0';
export const INFRA_SCRIPT = new URL('../../../examples/scripts/infra-assistant.json', import.meta.url).pathname;
export const INFRA_QUESTION = 'How many failed ECS tasks do we have in the last hour?';

/** Starts bedrock-local servers, agents on them and temp folders; all closed or removed after each test. */
export function useKit() {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    async start(options?: LocalBedrockOptions): Promise<LocalBedrock> {
      const server = await startLocalBedrock(options);
      cleanups.push(() => server.close());
      return server;
    },
    agentOn(server: LocalBedrock, options: Partial<AgentOptions> = {}): Agent {
      const agent = new Agent({
        model: NOVA_PRO,
        clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
        tools: infraTools,
        ...options,
      });
      cleanups.push(() => agent.close());
      return agent;
    },
    tempDir(): string {
      const dir = mkdtempSync(join(tmpdir(), 'novaloop-trace-test-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
  };
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

/** Fails every call, the way a broken downstream does. */
export const brokenTool = tool({
  name: 'restart_service',
  description: 'Restart an ECS service',
  input: z.object({ service_name: z.string() }),
  run: async () => {
    throw new Error('restart refused: service is locked by a deployment');
  },
});

/** A toolUse turn for scripts. */
export const useTool = (name: string, input: Record<string, unknown>, thinking?: string) => ({
  content: [...(thinking ? [{ text: `<thinking>${thinking}</thinking>` }] : []), { toolUse: { toolUseId: 'auto', name, input } }],
});
export const say = (text: string) => ({ content: [{ text }] });

/** Secrets that must never reach any trace output. */
export const SECRETS = {
  password: 'hunter2-correct-horse',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.dG9rZW4',
};

/** A tool that takes a password and answers with AWS keys and a bearer token. */
export const leakyTool = tool({
  name: 'fetch_credentials',
  description: 'Fetch deployment credentials',
  input: z.object({ user: z.string(), password: z.string() }),
  run: async () => ({
    note: `key ${SECRETS.accessKeyId} with secret ${SECRETS.secretKey}`,
    headers: { Authorization: `Bearer ${SECRETS.bearer}` },
  }),
});

export const leakyScript = {
  turns: [
    useTool('fetch_credentials', { user: 'ops', password: SECRETS.password }, 'I will fetch the deployment credentials for ops.'),
    say(`Done. The key is ${SECRETS.accessKeyId}.`),
  ],
};

export function expectNoSecrets(text: string): void {
  for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
}
