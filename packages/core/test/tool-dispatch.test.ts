import type { ToolResultBlock } from '@aws-sdk/client-bedrock-runtime';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tool } from '../src/index.js';
import { assertValidHistory, bodies, say, useBedrock } from './helpers.js';

const toolUse = (name: string, input: Record<string, unknown>) => ({ toolUse: { toolUseId: 'auto', name, input } });

/** The toolResult blocks of the last user message bedrock-local received. */
function sentResults(server: Parameters<typeof bodies>[0]): ToolResultBlock[] {
  const messages = bodies(server).at(-1)?.messages ?? [];
  return (messages.at(-1)?.content ?? []).flatMap((block) => (block.toolResult ? [block.toolResult] : []));
}

describe('tool dispatch', () => {
  const { start, agentOn } = useBedrock();

  it('runs the tool calls of one turn in parallel, up to toolConcurrency, and answers them in ONE message, in order', async () => {
    const calls = [1, 2, 3, 4, 5].map((n) => toolUse('slow_echo', { n, ms: 60 - n * 10 }));
    const server = await start({
      script: { turns: [{ content: [{ text: '<thinking>five at once</thinking>' }, ...calls] }, say('done')] },
    });
    let running = 0;
    let peak = 0;
    const slowEcho = tool({
      name: 'slow_echo',
      description: 'Echoes n after ms milliseconds',
      input: z.object({ n: z.number(), ms: z.number() }),
      run: async ({ n, ms }) => {
        peak = Math.max(peak, ++running);
        await sleep(ms);
        running--;
        return { n };
      },
    });
    const agent = agentOn(server, { tools: [slowEcho], toolConcurrency: 3 });
    const result = await agent.run('echo five numbers');

    expect(peak).toBe(3);
    const lastRequest = bodies(server).at(-1)?.messages ?? [];
    expect(lastRequest.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const results = sentResults(server);
    expect(results.map((r) => r.content?.[0]?.json)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    const uses = (lastRequest[1]?.content ?? []).flatMap((b) => (b.toolUse ? [b.toolUse.toolUseId] : []));
    expect(results.map((r) => r.toolUseId)).toEqual(uses);
    expect(result.steps[0]?.toolCalls.map((c) => c.status)).toEqual(['success', 'success', 'success', 'success', 'success']);
  });

  it('turns invalid input, unknown tools, throwing tools and timeouts into error results, and the loop goes on', async () => {
    const server = await start({
      script: {
        turns: [
          {
            content: [
              toolUse('lookup', { id: 'not-a-number' }),
              toolUse('lookup_user', { id: 1 }),
              toolUse('explode', {}),
              toolUse('hang', {}),
              toolUse('lookup', { id: 7 }),
            ],
          },
          say('I could only look up user 7.'),
        ],
      },
    });
    let hangSignal: AbortSignal | undefined;
    const lookup = tool({
      name: 'lookup',
      description: 'Looks up a user by numeric id',
      input: z.object({ id: z.number().int() }),
      run: ({ id }) => ({ id, name: 'Ada' }),
    });
    const explode = tool({
      name: 'explode',
      description: 'Always fails',
      input: z.object({}),
      run: () => {
        throw new Error('database is read-only today');
      },
    });
    const hang = tool({
      name: 'hang',
      description: 'Never returns and ignores its signal',
      input: z.object({}),
      timeoutMs: 50,
      run: (_input, ctx) => {
        hangSignal = ctx.signal;
        return new Promise<never>(() => {});
      },
    });
    const agent = agentOn(server, { tools: [lookup, explode, hang] });
    const result = await agent.run('look up some users');

    expect(result.stopReason).toBe('end_turn');
    expect(result.text).toBe('I could only look up user 7.');
    const results = sentResults(server);
    expect(results.map((r) => r.status)).toEqual(['error', 'error', 'error', 'error', undefined]);
    const texts = results.map((r) => r.content?.[0]?.text ?? '');
    expect(texts[0]).toMatch(/^Invalid input for tool lookup: id: .*number.*Call lookup again/);
    expect(texts[1]).toBe('Unknown tool "lookup_user". The available tools are: lookup, explode, hang. Call one of those.');
    expect(texts[2]).toBe('Tool explode failed: database is read-only today');
    expect(texts[3]).toMatch(/^Tool hang did not finish within 50 ms and was cancelled/);
    expect(hangSignal?.aborted).toBe(true);
    expect(results[4]?.content).toEqual([{ json: { id: 7, name: 'Ada' } }]);
    expect(result.steps[0]?.toolCalls[3]).toMatchObject({ name: 'hang', status: 'error', error: texts[3] });
    assertValidHistory(result.messages, [lookup, explode, hang]);
  });

  it('uses the agent-wide toolTimeoutMs for tools without their own', async () => {
    const server = await start({ script: { turns: [{ content: [toolUse('wait', {})] }, say('ok')] } });
    const wait = tool({ name: 'wait', description: 'Waits a second', input: z.object({}), run: () => sleep(1_000).then(() => 'late') });
    const agent = agentOn(server, { tools: [wait], toolTimeoutMs: 30 });
    const started = Date.now();
    const result = await agent.run('wait');
    expect(Date.now() - started).toBeLessThan(900);
    expect(result.steps[0]?.toolCalls[0]?.error).toMatch(/within 30 ms/);
  });

  it('sends a string output as text, an empty string and arrays wrapped in json, objects as json', async () => {
    const server = await start({
      script: {
        turns: [
          {
            content: [
              toolUse('emit', { kind: 'text' }),
              toolUse('emit', { kind: 'empty' }),
              toolUse('emit', { kind: 'list' }),
              toolUse('emit', { kind: 'date' }),
            ],
          },
          say('ok'),
        ],
      },
    });
    const emit = tool({
      name: 'emit',
      description: 'Returns a value of some kind',
      input: z.object({ kind: z.enum(['text', 'empty', 'list', 'date']) }),
      run: ({ kind }) => ({ text: 'plain words', empty: '', list: [1, 2], date: { at: new Date(0) } })[kind],
    });
    const agent = agentOn(server, { tools: [emit] });
    await agent.run('emit');
    expect(sentResults(server).map((r) => r.content)).toEqual([
      [{ text: 'plain words' }],
      [{ json: { result: '' } }],
      [{ json: { result: [1, 2] } }],
      [{ json: { at: '1970-01-01T00:00:00.000Z' } }],
    ]);
  });
});
