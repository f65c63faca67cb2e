import { describe, expect, it } from 'vitest';
import { classify, InMemorySessionStore } from '../src/index.js';
import { bodies, INFRA_QUESTION, INFRA_SCRIPT, infraTools, LOCAL_CREDENTIALS, useBedrock } from './helpers.js';

// About 1,500 tokens at bedrock-local's 4 characters a token: above Nova's 1,000-token checkpoint minimum.
const LONG_SYSTEM = 'You are an SRE assistant for the payments platform. Check facts with the tools before answering. '.repeat(60);
const cachePointsIn = (body: { system?: unknown; messages: unknown }) =>
  (JSON.stringify([body.system, body.messages]).match(/"cachePoint"/g) ?? []).length;

describe("promptCache: 'auto'", () => {
  const { start, agentOn } = useBedrock();

  it('caches the system prefix and moves a checkpoint to the end of each previous step: steps 2 and later read', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const memory = new InMemorySessionStore();
    const agent = agentOn(server, { system: LONG_SYSTEM, tools: infraTools, promptCache: 'auto', memory });
    const result = await agent.run(INFRA_QUESTION, { sessionId: 's1' });
    expect(result.steps).toHaveLength(3);
    const sent = bodies(server);
    expect(sent[0]?.system).toEqual([{ text: LONG_SYSTEM }, { cachePoint: { type: 'default' } }]);
    // Step 1 has no previous step; steps 2 and 3 end with the moving checkpoint.
    expect(JSON.stringify(sent[0]?.messages)).not.toContain('cachePoint');
    const cp = { cachePoint: { type: 'default' } };
    for (const body of sent.slice(1)) expect(body.messages.at(-1)?.content?.at(-1)).toEqual(cp);
    // Step 3 also keeps step 2's checkpoint (the end of step 1), where it reads what step 2 wrote.
    expect(sent[2]?.messages[2]?.content?.at(-1)).toEqual(cp);
    expect(sent.map(cachePointsIn)).toEqual([1, 2, 3]);

    const [first, second, third] = result.steps.map((step) => step.usage);
    expect(first?.cacheReadInputTokens).toBe(0);
    expect(first?.cacheWriteInputTokens).toBeGreaterThan(1_000);
    expect(second?.cacheReadInputTokens).toBe(first?.cacheWriteInputTokens);
    expect(second?.cacheWriteInputTokens).toBeGreaterThan(0);
    // Step 3 reads the prefix step 2 wrote: everything up to the end of step 1.
    expect(third?.cacheReadInputTokens).toBe((second?.cacheReadInputTokens ?? 0) + (second?.cacheWriteInputTokens ?? 0));
    expect(result.usage.cacheReadInputTokens).toBe((second?.cacheReadInputTokens ?? 0) + (third?.cacheReadInputTokens ?? 0));

    // Only the requests carry the checkpoints: the stored history is as the model saw it, without them.
    expect(JSON.stringify((await memory.load('s1'))?.messages)).not.toContain('cachePoint');
    expect(JSON.stringify(result.messages)).not.toContain('cachePoint');
  });

  it("a session's second run within the TTL reads the system prefix; after the TTL it writes it again", async () => {
    let now = 1_000_000;
    const server = await start({
      script: { turns: [{ content: [{ text: 'First answer.' }] }, { content: [{ text: 'Second.' }] }, { content: [{ text: 'Third.' }] }] },
      clock: () => now,
    });
    const agent = agentOn(server, { system: LONG_SYSTEM, promptCache: 'auto', memory: new InMemorySessionStore() });
    const first = await agent.run('Hello', { sessionId: 's' });
    const systemPrefix = first.usage.cacheWriteInputTokens;
    expect(systemPrefix).toBeGreaterThan(1_000);
    now += 4 * 60_000;
    const second = await agent.run('And again', { sessionId: 's' });
    expect(second.usage.cacheReadInputTokens).toBe(systemPrefix);
    expect(second.usage.cacheWriteInputTokens).toBe(0);
    now += 6 * 60_000;
    const third = await agent.run('Later', { sessionId: 's' });
    expect(third.usage.cacheReadInputTokens).toBe(0);
    expect(third.usage.cacheWriteInputTokens).toBe(systemPrefix);
  });

  it('is off by default, and places nothing on a prefix below the minimum', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const off = agentOn(server, { system: LONG_SYSTEM, tools: infraTools });
    await off.run(INFRA_QUESTION);
    const short = agentOn(server, { system: 'You are an SRE assistant.', tools: infraTools, promptCache: 'auto' });
    const result = await short.run(INFRA_QUESTION);
    expect(server.requests).toHaveLength(6);
    for (const body of bodies(server)) expect(cachePointsIn(body)).toBe(0);
    expect(result.usage.cacheReadInputTokens + result.usage.cacheWriteInputTokens).toBe(0);
  });

  it('counts checkpoints the caller placed: no system checkpoint when it would leave no room under the limit of 4', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const part = LONG_SYSTEM.slice(0, 1_000);
    const cp = { cachePoint: { type: 'default' as const } };
    const agent = agentOn(server, {
      system: [{ text: part }, cp, { text: part }, cp, { text: part }, cp, { text: part }],
      tools: infraTools,
      promptCache: 'auto',
    });
    await agent.run(INFRA_QUESTION);
    const sent = bodies(server);
    expect((sent[0]?.system as unknown[]).length).toBe(7);
    for (const body of sent) expect(cachePointsIn(body)).toBeLessThanOrEqual(4);
    expect(sent[1]?.messages.at(-1)?.content?.at(-1)).toEqual(cp);
  });

  it('classify() with long instructions caches them: the second call reads', async () => {
    const server = await start({ script: { classify: [{ match: 'refund', label: 'BILLING' }] } });
    const clientConfig = { endpoint: server.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
    const options = { labels: ['BILLING', 'OTHER'] as const, instructions: LONG_SYSTEM, promptCache: 'auto' as const, clientConfig };
    const first = await classify('refund me', options);
    const second = await classify('refund please', options);
    expect(bodies(server)[0]?.system).toEqual([{ text: LONG_SYSTEM }, { cachePoint: { type: 'default' } }]);
    expect(first.usage.cacheWriteInputTokens).toBeGreaterThan(1_000);
    expect(second.usage.cacheReadInputTokens).toBe(first.usage.cacheWriteInputTokens);
    expect(second.costUsd).toBeLessThan(first.costUsd ?? 0);
  });
});
