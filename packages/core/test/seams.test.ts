import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { BedrockServiceError, type ConverseCall } from '@novaloop/bedrock-local';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Agent,
  AgentConfigError,
  InMemorySessionStore,
  summarizing,
  slidingWindow,
  tool,
  type AgentEvent,
  type ContextPolicy,
  type TracePart,
} from '../src/index.js';
import { assertValidHistory, INFRA_QUESTION, INFRA_SCRIPT, infraTools, say, useBedrock, useTool } from './helpers.js';

// Regression tests for the defects found at the seams between the loop, the model calls, the
// context policies, the tools and the trace (issue 11). Each one failed before the fix.

const MICRO = 'amazon.nova-micro-v1:0';

/** A stored session of `exchanges` question/answer pairs, enough for a summarizing policy to summarize. */
async function seeded(exchanges: number): Promise<InMemorySessionStore> {
  const memory = new InMemorySessionStore();
  const messages: Message[] = [];
  for (let i = 0; i < exchanges; i++) {
    messages.push({ role: 'user', content: [{ text: `question ${i}` }] });
    messages.push({ role: 'assistant', content: [{ text: `answer ${i}` }] });
  }
  await memory.append('s', messages, 0);
  return memory;
}

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
};

describe('seams between the loop, model calls, context, tools and trace', () => {
  const { start, agentOn } = useBedrock();

  it('1: an abort while a summarizing policy writes its summary ends the run as aborted', async () => {
    // The abort comes once the summary request has reached the server, not after a fixed delay, so a
    // slow machine cannot abort before the summary call starts.
    const cancel = new AbortController();
    const server = await start({
      responder: async (call: ConverseCall) => {
        if (call.modelId === MICRO) {
          cancel.abort();
          await sleep(3_000);
        }
        return say('ok');
      },
    });
    const agent = agentOn(server, { memory: await seeded(12), context: summarizing({ keepRecent: 2 }) });
    const started = Date.now();
    const result = await agent.run('next?', { sessionId: 's', signal: cancel.signal });
    expect(result.stopReason).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(server.requests.map((r) => r.modelId)).toEqual([MICRO]);
  });

  it('2: a throttled summary call is retried with a retry event', async () => {
    const server = await start({ responder: (call) => say(call.modelId === MICRO ? 'They talked.' : 'ok') });
    server.injectFaults({ fault: { kind: 'throttling' }, model: MICRO, times: 1 });
    const agent = agentOn(server, { memory: await seeded(12), context: summarizing({ keepRecent: 2 }) });
    const retries: AgentEvent[] = [];
    agent.events.on('retry', (event) => retries.push(event));
    const result = await agent.run('next?', { sessionId: 's' });
    expect(result.text).toBe('ok');
    expect(server.requests.map((r) => r.modelId)).toEqual([MICRO, MICRO, 'us.amazon.nova-pro-v1:0']);
    expect(retries).toMatchObject([{ type: 'retry', reason: 'transient', attempt: 2, error: { code: 'ThrottlingException' } }]);
  });

  it('3: after a context-overflow retry the attempt numbers go on counting, and step.attempts counts both requests', async () => {
    const server = await start({
      responder: (call) => {
        if (call.body.messages.length > 9)
          throw new BedrockServiceError(400, 'ValidationException', 'Input is too long for requested model.');
        return say('Fine.');
      },
    });
    const agent = agentOn(server, { memory: await seeded(8), context: slidingWindow({ maxInputTokens: 100_000 }) });
    const seen: string[] = [];
    agent.events.on('model-request', (event) => seen.push(`model-request:${event.attempt}`));
    agent.events.on('retry', (event) => seen.push(`retry:${event.attempt}`));
    const result = await agent.run('and now?', { sessionId: 's' });
    expect(server.requests).toHaveLength(2);
    expect(seen).toEqual(['model-request:1', 'retry:2', 'model-request:2']);
    expect(result.steps[0]?.attempts).toBe(2);
  });

  describe('4: input validation runs inside the tool timeout and the run abort', () => {
    const slowlyValidated = (runs: { count: number }, refinementMs: number, timeoutMs?: number) =>
      tool({
        name: 'slow_check',
        description: 'Validated by a slow async refinement',
        input: z.object({ id: z.string() }).refine(async () => (await sleep(refinementMs), true)),
        run: () => {
          runs.count++;
          return 'ran';
        },
        ...(timeoutMs ? { timeoutMs } : {}),
      });

    it('an abort during validation returns at once, and the tool never runs', async () => {
      const server = await start({ script: { turns: [useTool('slow_check', { id: 'a' }), say('done')] } });
      const runs = { count: 0 };
      const agent = agentOn(server, { tools: [slowlyValidated(runs, 1_500)] });
      const controller = new AbortController();
      agent.events.on('tool-start', () => setTimeout(() => controller.abort(), 100));
      const started = Date.now();
      const result = await agent.run('go', { signal: controller.signal, sessionId: 'v' });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(result.stopReason).toBe('aborted');
      expect(result.steps[0]?.toolCalls[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/aborted/) });
      await sleep(1_700);
      expect(runs.count).toBe(0);
      assertValidHistory((await agent.memory.load('v'))?.messages ?? [], [slowlyValidated(runs, 1)]);
    });

    it('a validation slower than the tool timeout times out, and the tool never runs', async () => {
      const server = await start({ script: { turns: [useTool('slow_check', { id: 'a' }), say('done')] } });
      const runs = { count: 0 };
      const agent = agentOn(server, { tools: [slowlyValidated(runs, 1_200, 100)] });
      const started = Date.now();
      const result = await agent.run('go');
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(result.steps[0]?.toolCalls[0]).toMatchObject({
        status: 'error',
        error: expect.stringMatching(/did not finish within 100 ms/),
      });
      await sleep(1_300);
      expect(runs.count).toBe(0);
    });
  });

  for (const stream of [true, false]) {
    it(`5: ${stream ? 'ConverseStream' : 'Converse'}: a toolUse whose input is not a JSON object is asked again, never stored`, async () => {
      let calls = 0;
      const server = await start({
        responder: () =>
          calls++ === 0
            ? { content: [{ toolUse: { toolUseId: 'auto', name: 'get_service_status', input: ['not', 'an', 'object'] } }] }
            : say('Nothing to check.'),
      });
      const agent = agentOn(server, { tools: infraTools, stream });
      const retries: AgentEvent[] = [];
      agent.events.on('retry', (event) => retries.push(event));
      const result = await agent.run('status?', { sessionId: 'bad-input' });
      expect(result.text).toBe('Nothing to check.');
      expect(retries).toMatchObject([{ reason: 'malformed-tool-use' }]);
      const stored = (await agent.memory.load('bad-input'))?.messages ?? [];
      assertValidHistory(stored);
      // The session goes on.
      expect((await agent.run('again?', { sessionId: 'bad-input' })).stopReason).toBe('end_turn');
    });
  }

  it('6: a listener that throws changes neither the outcome nor the stored history; the error is reported', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const reported: unknown[] = [];
    const agent = agentOn(server, { tools: infraTools, onListenerError: (error) => reported.push(error) });
    agent.events.on('tool-end', () => {
      throw new Error('listener bug');
    });
    // Listeners after the broken one still hear every event, and a `once` listener hears one.
    const heard: string[] = [];
    agent.events.on('tool-end', (event) => heard.push(event.call.name));
    agent.events.once('tool-end', (event) => heard.push(`once:${event.call.name}`));
    const result = await agent.run(INFRA_QUESTION, { sessionId: 'l' });
    expect(result.stopReason).toBe('end_turn');
    expect(result.steps).toHaveLength(3);
    expect((await agent.memory.load('l'))?.messages).toHaveLength(6);
    expect(heard).toEqual(['query_database', 'once:query_database', 'get_service_status']);
    expect(agent.events.listenerCount('tool-end')).toBe(2);
    expect(reported).toHaveLength(2);
    expect(reported[0]).toMatchObject({ code: 'LISTENER', eventType: 'tool-end', cause: { message: 'listener bug' } });
  });

  it('7: trace parts a listener deep-freezes stay plain, serialisable data', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { tools: infraTools });
    const parts: TracePart[] = [];
    agent.events.on('trace', (part) => parts.push(deepFreeze(part)));
    const result = await agent.run(INFRA_QUESTION);
    const serialised = JSON.stringify(parts);
    expect(serialised).toContain('"sizeBytes"');
    expect(JSON.parse(serialised)).toEqual(JSON.parse(JSON.stringify(result.trace)));
    expect(structuredClone(parts)).toHaveLength(parts.length);
  });

  it('7: a listener may deep-freeze every event too; the run and its stored history are unchanged', async () => {
    let calls = 0;
    const server = await start({
      responder: () => (calls++ === 0 ? useTool('get_service_status', { service_name: 'api' }, 'Check it.') : say('Healthy.')),
    });
    const agent = agentOn(server, { tools: infraTools, memory: await seeded(3), context: slidingWindow({ maxInputTokens: 50_000 }) });
    const types = [
      'run-start',
      'step-start',
      'model-request',
      'model-response',
      'rationale',
      'tool-start',
      'tool-end',
      'context',
      'step-end',
    ] as const;
    for (const type of types) agent.events.on(type, (event: AgentEvent) => void deepFreeze(event));
    agent.events.on('trace', (part) => void deepFreeze(part));
    const result = await agent.run('Is api healthy?', { sessionId: 's' });
    expect(result.stopReason).toBe('end_turn');
    expect(result.text).toBe('Healthy.');
    expect((await agent.memory.load('s'))?.messages).toHaveLength(6 + 4);
  });

  it('an unknown stop reason from the service ends the run with a typed error naming it', async () => {
    const server = await start({ responder: () => ({ content: [{ text: 'hm' }], stopReason: 'brand_new_reason' as never }) });
    const agent = agentOn(server);
    const error = await agent.run('hi', { sessionId: 'u' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNKNOWN_STOP_REASON', message: expect.stringMatching(/brand_new_reason/) });
  });

  it('a run without a sessionId keeps nothing in the default in-memory store', async () => {
    const server = await start();
    const agent = agentOn(server);
    const result = await agent.run('hi');
    expect(result.stopReason).toBe('end_turn');
    expect((agent.memory as InMemorySessionStore).size).toBe(0);
    await agent.run('hi', { sessionId: 'kept' });
    expect((agent.memory as InMemorySessionStore).size).toBe(1);
  });

  it('every model a run calls must be priced when maxCostUsd is set; summaries count in the run cost', async () => {
    const model = 'us.amazon.nova-pro-v1:0';
    const unpriced = 'example.unknown-summarizer-v1:0';
    expect(() => new Agent({ model, maxCostUsd: 1, context: summarizing({ model: unpriced }) })).toThrow(AgentConfigError);
    expect(() => new Agent({ model, maxCostUsd: 1, context: summarizing({ model: unpriced }) })).toThrow(new RegExp(unpriced));
    const priced = new Agent({
      model,
      maxCostUsd: 1,
      context: summarizing({ model: unpriced }),
      prices: { [unpriced]: { inputPer1M: 1, outputPer1M: 2 } },
    });
    priced.close();

    // A policy that asks a model it did not declare, with no known price, fails the run instead of
    // silently turning the budget off.
    const server = await start({ responder: () => say('fine') });
    const sneaky: ContextPolicy = {
      async select(request) {
        await request.complete([{ role: 'user', content: [{ text: 'sum up' }] }], { modelId: unpriced });
        return { start: 0 };
      },
    };
    const agent = agentOn(server, { maxCostUsd: 1, context: sneaky });
    await expect(agent.run('hi')).rejects.toMatchObject({ code: 'AGENT_CONFIG', message: expect.stringMatching(unpriced) });
    expect(server.requests).toHaveLength(0);
  });

  it('toolUseRepair.maxRepairs counts re-asks; the deprecated maxAttempts means the same', async () => {
    const broken = { content: [{ toolUse: { toolUseId: 'auto', name: 'get_service_status', input: ['x'] } }] };
    for (const toolUseRepair of [{ maxRepairs: 0 }, { maxAttempts: 0 }]) {
      const server = await start({ responder: () => broken });
      const error = await agentOn(server, { tools: infraTools, toolUseRepair })
        .run('status?')
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'MALFORMED_TOOL_USE', attempts: 1 });
      expect(server.requests).toHaveLength(1);
    }
    expect(() => new Agent({ model: 'us.amazon.nova-pro-v1:0', toolUseRepair: { maxRepairs: -1 } })).toThrow(/maxRepairs/);
  });
});
