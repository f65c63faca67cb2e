import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, AgentConfigError, tool, type AgentEvent } from '../src/index.js';
import { assertValidHistory, bodies, INFRA_QUESTION, INFRA_SCRIPT, infraTools, say, useBedrock, useTool } from './helpers.js';

const SYSTEM = 'You are an infrastructure assistant. Use the tools to answer.';

describe('Agent.run on the infrastructure assistant', () => {
  const { start, agentOn } = useBedrock();

  it('calls both tools and returns the final answer, its steps, usage and cost', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { system: SYSTEM, tools: infraTools });
    const result = await agent.run(INFRA_QUESTION);

    expect(result.stopReason).toBe('end_turn');
    expect(result.text).toMatch(/^There were 7 failed ECS tasks in the last hour/);
    expect(result.steps.map((s) => s.stopReason)).toEqual(['tool_use', 'tool_use', 'end_turn']);
    expect(result.steps.map((s) => s.toolCalls.map((c) => c.name))).toEqual([['query_database'], ['get_service_status'], []]);
    expect(result.steps[1]?.toolCalls[0]).toMatchObject({
      name: 'get_service_status',
      input: { service_name: 'payments-api' },
      status: 'success',
      content: [{ json: { service: 'payments-api', status: 'degraded', running: 2, desired: 4 } }],
    });
    // Usage is bedrock-local's count for each call, summed.
    const charged = server.requests.map((r) => r.usage);
    expect(result.steps.map((s) => s.usage.inputTokens)).toEqual(charged.map((u) => u?.inputTokens));
    expect(result.usage.outputTokens).toBe(charged.reduce((n, u) => n + (u?.outputTokens ?? 0), 0));
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
    expect(result.costUsd).toBeCloseTo((result.usage.inputTokens * 0.8 + result.usage.outputTokens * 3.2) / 1e6, 12);
    expect(result.messages).toHaveLength(6);
    assertValidHistory(result.messages);
  });

  it('sends exactly the system prompt, tools and conversation, with no injected tokens', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { system: SYSTEM, tools: infraTools, inference: { temperature: 0.2, topK: 5, maxTokens: 800 } });
    await agent.run(INFRA_QUESTION);
    const [first, second] = bodies(server);
    expect(first).toEqual({
      messages: [{ role: 'user', content: [{ text: INFRA_QUESTION }] }],
      system: [{ text: SYSTEM }],
      toolConfig: { tools: infraTools.map((t) => t.spec) },
      inferenceConfig: { maxTokens: 800, temperature: 0.2 },
      additionalModelRequestFields: { inferenceConfig: { topK: 5 } },
    });
    // The second call carries the assistant turn as the model wrote it (thinking included) and one
    // user message with the tool result.
    expect(second?.messages).toHaveLength(3);
    expect(second?.messages[1]?.content?.[0]?.text).toMatch(/^<thinking>/);
    expect(second?.messages[2]).toEqual({
      role: 'user',
      content: [
        {
          toolResult: {
            toolUseId: second?.messages[1]?.content?.[1]?.toolUse?.toolUseId,
            content: [
              {
                json: {
                  rows: [
                    { service: 'payments-api', failed: 5 },
                    { service: 'report-worker', failed: 2 },
                  ],
                },
              },
            ],
            // No `status` on success: exactly what a hand-written Converse loop sends.
          },
        },
      ],
    });
  });

  it('continues a session: the second run sends the first run’s history', async () => {
    const server = await start();
    const agent = agentOn(server);
    const first = await agent.run('Remember the number 42.', { sessionId: 'chat-1' });
    expect(first.sessionId).toBe('chat-1');
    const second = await agent.run('What number did I say?', { sessionId: 'chat-1' });
    expect(second.messages).toHaveLength(4);
    const sent = bodies(server)[1]?.messages;
    expect(sent?.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent?.[0]?.content?.[0]?.text).toBe('Remember the number 42.');
    expect((await agent.memory.load('chat-1'))?.messages).toHaveLength(4);
  });

  it('gives each run without a sessionId a fresh session', async () => {
    const server = await start();
    const agent = agentOn(server);
    const a = await agent.run('one');
    const b = await agent.run('two');
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(bodies(server)[1]?.messages).toHaveLength(1);
  });

  it('accepts content blocks as input', async () => {
    const server = await start();
    const agent = agentOn(server);
    await agent.run([{ text: 'first part' }, { text: 'second part' }]);
    expect(bodies(server)[0]?.messages[0]?.content).toEqual([{ text: 'first part' }, { text: 'second part' }]);
  });

  it('stream() yields the run event by event and returns the same result', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { tools: infraTools });
    const stream = agent.stream(INFRA_QUESTION);
    const types: string[] = [];
    let next = await stream.next();
    while (!next.done) {
      types.push(next.value.type);
      next = await stream.next();
    }
    expect(next.value.stopReason).toBe('end_turn');
    expect(types[0]).toBe('run-start');
    expect(types.at(-1)).toBe('run-end');
    const compact = types.filter((t) => t !== 'trace' && t !== 'text-delta' && t !== 'tool-input-delta');
    expect(compact).toEqual([
      'run-start',
      ...['step-start', 'model-request', 'model-response', 'rationale', 'tool-start', 'tool-end', 'step-end'],
      ...['step-start', 'model-request', 'model-response', 'rationale', 'tool-start', 'tool-end', 'step-end'],
      ...['step-start', 'model-request', 'model-response', 'step-end'],
      'run-end',
    ]);
    expect(types.filter((t) => t === 'tool-input-delta').length).toBeGreaterThan(2);
  });

  it('emits typed events on agent.events for every run', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { tools: infraTools });
    const toolEnds: string[] = [];
    const deltas: string[] = [];
    let ended: AgentEvent | undefined;
    agent.events.on('tool-end', (event) => toolEnds.push(`${event.call.name}:${event.call.status}`));
    agent.events.on('text-delta', (event) => deltas.push(event.text));
    agent.events.on('run-end', (event) => (ended = event));
    const result = await agent.run(INFRA_QUESTION);
    expect(toolEnds).toEqual(['query_database:success', 'get_service_status:success']);
    expect(deltas.join('').trim()).toBe(result.text);
    expect(ended).toMatchObject({ type: 'run-end', result: { runId: result.runId } });
  });

  it('run() makes delta events for a listener from the moment it listens, also one added during the run', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { tools: infraTools });
    const toolInputs: number[] = [];
    const texts: string[] = [];
    // Added as step 1 and step 2 start: run() makes no delta events while nobody listens, and must
    // start making them as soon as someone does.
    agent.events.on('step-start', (event) => {
      if (event.stepIndex === 1) agent.events.on('tool-input-delta', (delta) => toolInputs.push(delta.stepIndex));
      if (event.stepIndex === 2) agent.events.on('text-delta', (delta) => texts.push(delta.text));
    });
    const result = await agent.run(INFRA_QUESTION);
    expect(toolInputs.length).toBeGreaterThan(0);
    expect(new Set(toolInputs)).toEqual(new Set([1]));
    expect(texts.join('').trim()).toBe(result.text);
  });

  it('a model that answers after a scripted tool call sees the typed tool output', async () => {
    const server = await start({ script: { turns: [useTool('add', { a: 2, b: 3 }), say('5')] } });
    const seen: unknown[] = [];
    const add = tool({
      name: 'add',
      description: 'Adds two numbers',
      input: z.object({ a: z.number(), b: z.number() }),
      run: ({ a, b }, ctx) => {
        seen.push({ a, b, toolUseId: ctx.toolUseId, stepIndex: ctx.stepIndex, aborted: ctx.signal.aborted });
        return a + b;
      },
    });
    const agent = agentOn(server, { tools: [add] });
    const result = await agent.run('2+3?');
    expect(result.text).toBe('5');
    expect(seen).toEqual([{ a: 2, b: 3, toolUseId: expect.stringMatching(/^tooluse_/), stepIndex: 0, aborted: false }]);
    // Bedrock rejects a json block that is not an object: a number is wrapped.
    expect(result.steps[0]?.toolCalls[0]?.content).toEqual([{ json: { result: 5 } }]);
  });
});

describe('Agent options', () => {
  it('rejects impossible settings with AgentConfigError', () => {
    expect(() => new Agent({ model: '' })).toThrow(AgentConfigError);
    expect(() => new Agent({ model: 'us.amazon.nova-pro-v1:0', maxSteps: 0 })).toThrow(/maxSteps/);
    expect(() => new Agent({ model: 'us.amazon.nova-pro-v1:0', toolConcurrency: 1.5 })).toThrow(/toolConcurrency/);
    expect(() => new Agent({ model: 'anthropic.claude-unknown', maxCostUsd: 1 })).toThrow(/No price is known/);
    expect(() => new Agent({ model: 'us.amazon.nova-pro-v1:0', maxCostUsd: -1 })).toThrow(/maxCostUsd/);
    const agent = new Agent({ model: 'anthropic.claude-unknown', maxCostUsd: 1, price: { inputPer1M: 1, outputPer1M: 2 } });
    agent.close();
  });

  it('rejects two tools with the same name', () => {
    expect(() => new Agent({ model: 'us.amazon.nova-pro-v1:0', tools: [infraTools[0]!, infraTools[0]!] })).toThrow(/query_database/);
  });
});
