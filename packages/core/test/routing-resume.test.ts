import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, AgentConfigError, cascade, classify, InMemorySessionStore, tool } from '../src/index.js';
import { LOCAL_CREDENTIALS, NOVA_PRO, say, useBedrock } from './helpers.js';

const MICRO = 'us.amazon.nova-micro-v1:0';
const RULES = [
  { tool: 'route', match: 'outage', label: 'complex' },
  { tool: 'route', label: 'simple' },
];
const microPro = () => cascade({ classifier: MICRO, routes: { simple: MICRO, complex: NOVA_PRO }, fallback: 'simple' });

/** No `run`: the application answers it. */
const askManager = tool({
  name: 'ask_manager',
  description: 'Ask the on-call manager a question',
  input: z.object({ question: z.string() }),
});
const ASK = { content: [{ toolUse: { toolUseId: 'auto', name: 'ask_manager', input: { question: 'May I fail over?' } } }] };

describe('a cascade run that pauses', () => {
  const { start, agentOn } = useBedrock();

  it('resumes on the route its classifier chose, without classifying again, in this agent or a new one', async () => {
    const server = await start({ script: { classify: RULES, turns: [ASK, say('Failing over now.')] } });
    const memory = new InMemorySessionStore();
    const agent = agentOn(server, { model: microPro(), tools: [askManager], memory });

    const paused = await agent.run('We have an outage in eu-west-1', { sessionId: 's1' });
    expect(paused.stopReason).toBe('return_control');
    expect(paused.route).toMatchObject({ route: 'complex', modelId: NOVA_PRO });
    const stored = await memory.load('s1');
    expect(stored?.pending?.route).toBe('complex');

    const call = paused.pending[0];
    const resumed = await agent.resume('s1', [{ toolUseId: call?.toolUseId ?? '', result: 'yes' }]);
    expect(resumed.stopReason).toBe('end_turn');
    expect(resumed.text).toBe('Failing over now.');
    // The classifier ran once, for the run; the resume's step went to the chosen route's model.
    expect(server.requests.map((r) => r.modelId)).toEqual([MICRO, NOVA_PRO, NOVA_PRO]);
    expect(resumed.steps.map((s) => s.modelId)).toEqual([NOVA_PRO]);
    expect(resumed.route).toBeUndefined();

    // Another process: a new agent with the same definitions and store.
    const again = await agent.run('Another outage in us-east-1', { sessionId: 's2' });
    expect(again.stopReason).toBe('return_control');
    const other = agentOn(server, { model: microPro(), tools: [askManager], memory });
    const done = await other.resume('s2', [{ toolUseId: again.pending[0]?.toolUseId ?? '', result: 'yes' }]);
    expect(done.text).toBe('Failing over now.');
    expect(server.requests.slice(3).map((r) => r.modelId)).toEqual([MICRO, NOVA_PRO, NOVA_PRO]);
  });

  it('a run without a classifier answer (fallback) keeps the fallback route across the pause', async () => {
    const server = await start({ script: { classify: RULES, turns: [ASK, say('Done on Micro.')] } });
    const agent = agentOn(server, { model: microPro(), tools: [askManager], memory: new InMemorySessionStore() });
    const paused = await agent.run('What are your opening hours?', { sessionId: 's' });
    expect(paused.route).toMatchObject({ route: 'simple', modelId: MICRO });
    const resumed = await agent.resume('s', [{ toolUseId: paused.pending[0]?.toolUseId ?? '', result: 'yes' }]);
    expect(resumed.text).toBe('Done on Micro.');
    expect(server.requests.map((r) => r.modelId)).toEqual([MICRO, MICRO, MICRO]);
  });
});

describe('classify() and an agent on the lean transport', () => {
  const { start } = useBedrock();

  it('an agent on the lean transport has no SDK client to share: a typed error says what to pass instead', async () => {
    const server = await start();
    const agent = new Agent({
      model: NOVA_PRO,
      transport: 'lean',
      clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS } },
    });
    try {
      expect(() => agent.client).toThrow(AgentConfigError);
      expect(() => agent.client).toThrow(/transport: 'lean'/);
    } finally {
      agent.close();
    }
  });

  it("classify() with transport 'lean' makes a signed connection of its own and gets the label", async () => {
    const server = await start({ script: { classify: [{ tool: 'classify', match: 'refund', label: 'BILLING' }] } });
    const result = await classify('I want a refund for last month', {
      labels: ['BILLING', 'TECHNICAL'] as const,
      transport: 'lean',
      clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS } },
    });
    expect(result.label).toBe('BILLING');
    // bedrock-local checks signatures: the lean request was signed with the configured credentials.
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers?.['user-agent'] ?? '').not.toMatch(/aws-sdk-js/);
  });

  it('classify() refuses a client together with the lean transport, before sending anything', async () => {
    const server = await start();
    const agent = new Agent({
      model: NOVA_PRO,
      clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS } },
    });
    try {
      await expect(classify('x', { labels: ['A', 'B'] as const, client: agent.client, transport: 'lean' })).rejects.toThrow(
        AgentConfigError,
      );
      expect(server.requests).toHaveLength(0);
    } finally {
      agent.close();
    }
  });
});
