import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tool } from '../src/index.js';
import { assertValidHistory, bodies, INFRA_QUESTION, INFRA_SCRIPT, infraTools, say, useBedrock, useTool } from './helpers.js';

describe('abort', () => {
  const { start, agentOn } = useBedrock();

  for (const stream of [true, false]) {
    it(`${stream ? 'ConverseStream' : 'Converse'}: aborting during a model call cancels the request and ends with aborted`, async () => {
      const server = await start({ script: INFRA_SCRIPT, latencyMs: 5_000 });
      const agent = agentOn(server, { tools: infraTools, stream });
      const controller = new AbortController();
      agent.events.on('model-request', () => setTimeout(() => controller.abort(), 30));
      const started = Date.now();
      const result = await agent.run(INFRA_QUESTION, { signal: controller.signal, sessionId: 's' });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(result.stopReason).toBe('aborted');
      expect(result.steps).toEqual([]);
      // Nothing was completed, so nothing was stored.
      expect(await agent.memory.load('s')).toBeUndefined();
    });
  }

  it('aborting mid-run keeps the completed steps, and the session continues validly', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    server.injectFaults({ fault: { kind: 'latency', ms: 5_000 }, requests: [2] });
    const agent = agentOn(server, { tools: infraTools });
    const controller = new AbortController();
    agent.events.on('step-end', () => setTimeout(() => controller.abort(), 30));
    const result = await agent.run(INFRA_QUESTION, { signal: controller.signal, sessionId: 'mid' });
    expect(result.stopReason).toBe('aborted');
    expect(result.steps).toHaveLength(1);
    const stored = (await agent.memory.load('mid'))?.messages ?? [];
    expect(stored.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    assertValidHistory(stored);
  });

  it('aborting while tools run passes the signal to them and answers every toolUse with an error', async () => {
    const server = await start({
      script: { turns: [{ content: [useTool('slow', {}).content[0]!, useTool('slow', {}).content[0]!] }, say('after')] },
    });
    const signals: AbortSignal[] = [];
    const slow = tool({
      name: 'slow',
      description: 'Takes ten seconds unless cancelled',
      input: z.object({}),
      run: async (_input, ctx) => {
        signals.push(ctx.signal);
        await sleep(10_000, undefined, { signal: ctx.signal });
        return 'finished';
      },
    });
    const agent = agentOn(server, { tools: [slow] });
    const controller = new AbortController();
    agent.events.on('tool-start', () => setTimeout(() => controller.abort(), 20));
    const result = await agent.run('go', { signal: controller.signal, sessionId: 't' });

    expect(result.stopReason).toBe('aborted');
    expect(signals).toHaveLength(2);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(result.steps[0]?.toolCalls.map((c) => [c.status, c.error])).toEqual([
      ['error', 'Cancelled: the request was aborted while slow was running.'],
      ['error', 'Cancelled: the request was aborted while slow was running.'],
    ]);
    expect(server.requests).toHaveLength(1);
    const stored = (await agent.memory.load('t'))?.messages ?? [];
    assertValidHistory(stored, [slow]);
    // The next run on the session is accepted by Bedrock's validation.
    const next = await agent.run('try again', { sessionId: 't' });
    expect(next.stopReason).toBe('end_turn');
    expect(bodies(server)[1]?.messages.at(-1)?.content?.at(-1)).toEqual({ text: 'try again' });
  });

  it('a signal aborted before the run starts makes no request', async () => {
    const server = await start();
    const result = await agentOn(server).run('hi', { signal: AbortSignal.abort() });
    expect(result.stopReason).toBe('aborted');
    expect(server.requests).toHaveLength(0);
  });

  it('breaking out of stream() cancels the run', async () => {
    const server = await start({ script: INFRA_SCRIPT, latencyMs: 50 });
    let toolRuns = 0;
    const counted = tool({
      name: 'query_database',
      description: 'counts runs',
      input: z.object({ query: z.string() }),
      run: () => ++toolRuns,
    });
    const agent = agentOn(server, { tools: [counted, infraTools[1]!] });
    for await (const event of agent.stream(INFRA_QUESTION)) {
      if (event.type === 'model-response') break;
    }
    await sleep(150);
    expect(toolRuns).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it('a consumer that stops at model-request stops the run before that request is sent', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { tools: infraTools });
    const seen: string[] = [];
    const heard: string[] = [];
    agent.events.on('run-end', (event) => heard.push(event.result.stopReason));
    for await (const event of agent.stream(INFRA_QUESTION)) {
      seen.push(event.type);
      if (event.type === 'model-request') break;
    }
    expect(seen).toEqual(['run-start', 'step-start', 'model-request']);
    expect(server.requests).toHaveLength(0);
    // The run still ends, aborted, for whoever listens.
    expect(heard).toEqual(['aborted']);
  });
});
