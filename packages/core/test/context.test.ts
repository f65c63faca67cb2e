import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';
import { BedrockServiceError, resolveModel, validateConverseRequest, type ConverseCall } from '@novaloop/bedrock-local';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { continueConversation, storedEnds, userMessage } from '../src/context/history.js';
import { windowMessages } from '../src/context/policy.js';
import {
  ContextWindowExceededError,
  InMemorySessionStore,
  estimateTokens,
  isCutPoint,
  slidingWindow,
  summarizing,
  tool,
  type AgentEvent,
  type ContextPolicy,
  type ContextRequest,
  type ContextWindow,
} from '../src/index.js';
import { bodies, NOVA_PRO, useBedrock } from './helpers.js';

const lookup = tool({
  name: 'lookup',
  description: 'Look something up',
  input: z.object({ q: z.string() }),
  run: ({ q }) => ({ found: q.length }),
});
const TOOL_CONFIG = { tools: [lookup.spec] };

/** Throws bedrock-local's ValidationException text unless Bedrock would accept `messages`. */
const assertValid = (messages: Message[]) => validateConverseRequest({ messages, toolConfig: TOOL_CONFIG }, resolveModel(NOVA_PRO));

// A stored history as the loop writes it: runs of a prompt, tool steps (each toolUse answered in the
// next user message), then an answer, or nothing more (a run stopped after its tools or before its
// first step), which leaves two user messages in a row for the next run.
const runArb = fc.record({
  prompt: fc.integer({ min: 1, max: 600 }),
  steps: fc.array(
    fc.array(fc.record({ size: fc.integer({ min: 1, max: 3_000 }), kind: fc.constantFrom('json', 'text', 'error') }), {
      minLength: 1,
      maxLength: 3,
    }),
    { maxLength: 3 },
  ),
  end: fc.constantFrom('answer', 'answer', 'stopped'),
  answer: fc.integer({ min: 1, max: 1_200 }),
});
const historyArb = fc.array(runArb, { maxLength: 14 });

interface Run {
  prompt: number;
  steps: { size: number; kind: 'json' | 'text' | 'error' }[][];
  end: 'answer' | 'stopped';
  answer: number;
}

function buildHistory(runs: Run[]): Message[] {
  const messages: Message[] = [];
  runs.forEach((run, r) => {
    messages.push({ role: 'user', content: [{ text: `q${r} ${'p'.repeat(run.prompt)}` }] });
    run.steps.forEach((calls, s) => {
      const ids = calls.map((_, k) => `tooluse_${r}_${s}_${k}`);
      messages.push({
        role: 'assistant',
        content: [
          { text: '<thinking>look it up</thinking>' },
          ...calls.map((call, k) => ({ toolUse: { toolUseId: ids[k], name: 'lookup', input: { q: 'x'.repeat(call.size) } } })),
        ],
      });
      messages.push({
        role: 'user',
        content: calls.map((call, k): ContentBlock => ({
          toolResult: {
            toolUseId: ids[k],
            content: call.kind === 'json' ? [{ json: { rows: 'r'.repeat(call.size) } }] : [{ text: 't'.repeat(call.size) }],
            ...(call.kind === 'error' ? { status: 'error' as const } : {}),
          },
        })),
      });
    });
    if (run.end === 'answer') messages.push({ role: 'assistant', content: [{ text: `a${r} ${'a'.repeat(run.answer)}` }] });
  });
  return messages;
}

const request = (messages: Message[], extra: Partial<ContextRequest> = {}): ContextRequest => ({
  sessionId: 's',
  messages,
  summary: undefined,
  fixedTokens: 50,
  reason: 'step',
  previous: undefined,
  signal: new AbortController().signal,
  complete: () => Promise.reject(new Error('no model in this test')),
  ...extra,
});

const tokensOf = (messages: readonly Message[]) => messages.reduce((sum, m) => sum + estimateTokens(m), 0);

describe('context windows are always valid for Bedrock (property-based)', () => {
  it('the conversation the loop builds from any stored history is valid, and storedEnds maps it', () => {
    fc.assert(
      fc.property(historyArb, (runs) => {
        const history = buildHistory(runs);
        const conversation = continueConversation(history, userMessage('now'));
        assertValid(conversation);
        const ends = storedEnds(history);
        expect(ends).toHaveLength(conversation.length);
        expect(ends.at(-1)).toBe(history.length + 1);
        // Each message of the conversation holds exactly the blocks of the stored messages it stands for.
        let previous = 0;
        ends.forEach((end, i) => {
          const blocks = [...history, userMessage('now')].slice(previous, end).flatMap((m) => m.content ?? []);
          expect(conversation[i]?.content).toEqual(blocks);
          previous = end;
        });
      }),
      { numRuns: 200 },
    );
  });

  it('slidingWindow: every window is accepted by the validator, fits the budget whenever a cut allows it, and overflow never sends more', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, fc.integer({ min: 60, max: 20_000 }), async (runs, maxInputTokens) => {
        const conversation = continueConversation(buildHistory(runs), userMessage('now'));
        const policy = slidingWindow({ maxInputTokens });
        const window = await policy.select(request(conversation));
        expect(isCutPoint(conversation, window.start)).toBe(true);
        const sent = windowMessages(conversation, window);
        assertValid(sent);
        expect(sent.at(-1)).toBe(conversation.at(-1));
        const cuts = conversation.map((_, i) => i).filter((i) => isCutPoint(conversation, i));
        const fitting = cuts.filter((i) => tokensOf(conversation.slice(i)) <= maxInputTokens - 50);
        // The earliest cut that fits, or (when none fits) the newest cut: never more than needed.
        expect(window.start).toBe(fitting[0] ?? cuts.at(-1));

        const retried = await policy.select(request(conversation, { reason: 'overflow', previous: window }));
        expect(retried.start).toBeGreaterThanOrEqual(window.start);
        assertValid(windowMessages(conversation, retried));
      }),
      { numRuns: 300 },
    );
  });

  it('summarizing: every window is valid, its summary covers exactly what is not sent, and the summarizer sees no tool blocks', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, fc.integer({ min: 1, max: 12 }), fc.boolean(), async (runs, keepRecent, overflow) => {
        const conversation = continueConversation(buildHistory(runs), userMessage('now'));
        const prompts: string[] = [];
        const policy = summarizing({ keepRecent, maxChunkTokens: 2_000 });
        const window = await policy.select(
          request(conversation, {
            reason: overflow ? 'overflow' : 'step',
            complete: async (messages, options) => {
              expect(options.modelId).toBe('amazon.nova-micro-v1:0');
              expect(messages).toHaveLength(1);
              prompts.push(messages[0]?.content?.[0]?.text ?? '');
              return `summary ${prompts.length}`;
            },
          }),
        );
        const sent = windowMessages(conversation, window);
        assertValid(sent);
        if (window.summary) {
          expect(window.summary.upTo).toBe(window.start);
          expect(window.summary.text).toBe(`summary ${prompts.length}`);
          expect(sent[0]?.content?.[0]?.text).toMatch(/^<conversation_summary>\nsummary \d+\n<\/conversation_summary>$/);
          // Keeps at least keepRecent messages (half on overflow) unless no cut point allows it.
          const recent = overflow ? Math.max(1, Math.floor(keepRecent / 2)) : keepRecent;
          expect(conversation.length - window.start).toBeGreaterThanOrEqual(Math.min(recent, conversation.length));
        } else {
          expect(window.start).toBe(0);
          expect(prompts).toEqual([]);
        }
        for (const prompt of prompts) expect(prompt).not.toMatch(/"toolUseId"/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('context policies, unit', () => {
  it('summarizing waits for more than 2 × keepRecent new messages, then folds the old summary into the new one', async () => {
    const history = buildHistory(Array.from({ length: 6 }, () => ({ prompt: 10, steps: [], end: 'answer' as const, answer: 10 })));
    const conversation = continueConversation(history, userMessage('now')); // 13 messages
    const prompts: string[] = [];
    const complete = async (messages: Message[]) => (prompts.push(messages[0]?.content?.[0]?.text ?? ''), `S${prompts.length}`);
    const policy = summarizing({ keepRecent: 6 });
    expect(await policy.select(request(conversation.slice(0, 11), { complete }))).toEqual({ start: 0 });
    const first = await policy.select(request(conversation, { complete }));
    expect(first).toEqual({ start: 6, summary: { text: 'S1', upTo: 6 } });
    expect(prompts[0]).toMatch(/^The conversation:\nUser: q0/);
    // With the summary in force and few new messages, nothing is asked.
    expect(await policy.select(request(conversation, { complete, summary: first.summary }))).toEqual(first);
    const longer = [
      ...conversation.slice(0, -1),
      ...buildHistory(Array.from({ length: 7 }, () => ({ prompt: 5, steps: [], end: 'answer' as const, answer: 5 }))),
      userMessage('later'),
    ];
    const second = await policy.select(request(longer, { complete, summary: first.summary }));
    expect(second.summary?.text).toBe('S2');
    expect(prompts[1]).toMatch(/^The summary so far:\nS1\n\nThe conversation that follows it:\nUser: q3 /);
  });

  it('a blank summary keeps the previous window; maxInputTokens triggers a summary before the count does', async () => {
    const conversation = continueConversation(
      buildHistory([
        { prompt: 4_000, steps: [], end: 'answer', answer: 10 },
        { prompt: 10, steps: [], end: 'answer', answer: 10 },
      ]),
      userMessage('now'),
    );
    const policy = summarizing({ keepRecent: 2, maxInputTokens: 600 });
    expect(await policy.select(request(conversation, { complete: async () => '  ' }))).toEqual({ start: 0 });
    expect(await policy.select(request(conversation, { complete: async () => 'short' }))).toEqual({
      start: 2,
      summary: { text: 'short', upTo: 2 },
    });
  });

  it('rejects options that cannot work', () => {
    expect(() => slidingWindow({ maxInputTokens: 0 })).toThrow(/maxInputTokens/);
    expect(() => summarizing({ keepRecent: 0 })).toThrow(/keepRecent/);
  });
});

describe('context policies in the agent loop', () => {
  const { start, agentOn } = useBedrock();
  const exchange = (n: number, size = 400): Message[] => [
    // Numbers padded, so every exchange costs the same tokens however long the history.
    { role: 'user', content: [{ text: `question ${String(n).padStart(5, '0')} ${'q'.repeat(size)}` }] },
    { role: 'assistant', content: [{ text: `answer ${String(n).padStart(5, '0')} ${'a'.repeat(size)}` }] },
  ];
  const seed = async (store: InMemorySessionStore, id: string, exchanges: number, size?: number) => {
    for (let i = 0; i < exchanges; i++) await store.append(id, exchange(i, size), i);
  };
  const toolTurns = {
    turns: [{ content: [{ toolUse: { toolUseId: 'auto', name: 'lookup', input: { q: 'disk' } } }] }, { content: [{ text: 'Done.' }] }],
  };
  /** Answers by the turns of this run (the stored history holds many assistant turns already). */
  const runTurns = (call: ConverseCall) => {
    const last = call.body.messages.at(-1)?.content ?? [];
    return last.some((block) => 'toolResult' in block) ? { content: [{ text: 'Done.' }] } : toolTurns.turns[0]!;
  };

  it('slidingWindow trims before every call; every request fits the budget; the stored history keeps everything', async () => {
    const server = await start({ responder: runTurns });
    const memory = new InMemorySessionStore();
    await seed(memory, 'long', 100);
    const maxInputTokens = 3_000;
    const agent = agentOn(server, { tools: [lookup], memory, context: slidingWindow({ maxInputTokens }) });
    const events: AgentEvent[] = [];
    agent.events.on('context', (event) => events.push(event));
    const result = await agent.run('What next?', { sessionId: 'long' });

    expect(result.stopReason).toBe('end_turn');
    expect(server.requests).toHaveLength(2);
    for (const r of server.requests) expect(r.usage?.inputTokens).toBeLessThanOrEqual(maxInputTokens);
    for (const body of bodies(server)) assertValid(body.messages);
    // Each call sends the newest messages of the conversation, and far fewer than all of them.
    // The first call ends with the prompt, the second with the tool results (the answer came after).
    const ends = [result.messages.length - 3, result.messages.length - 1];
    bodies(server).forEach((body, i) => {
      const end = ends[i] as number;
      expect(body.messages.length).toBeLessThan(40);
      expect(body.messages).toEqual(JSON.parse(JSON.stringify(result.messages.slice(end - body.messages.length, end))));
    });
    expect(events.map((e) => e.type === 'context' && e.reason)).toEqual(['step']);
    const stored = await memory.load('long');
    expect(stored?.messages).toHaveLength(200 + 4);
    expect(result.messages).toHaveLength(204);
    // The trace reports what was sent, not the whole conversation.
    const input = result.trace.find((p) => 'orchestrationTrace' in p.trace && 'modelInvocationInput' in p.trace.orchestrationTrace);
    const sentInfo =
      input && 'orchestrationTrace' in input.trace && 'modelInvocationInput' in input.trace.orchestrationTrace
        ? input.trace.orchestrationTrace.modelInvocationInput.messages
        : undefined;
    expect(sentInfo).toEqual({
      count: bodies(server)[0]?.messages.length,
      sizeBytes: Buffer.byteLength(JSON.stringify(bodies(server)[0]?.messages)),
    });
  });

  it('the cost of a step does not grow with the history: tokens are counted once per message, from the newest back', async () => {
    const counted = async (exchanges: number) => {
      const server = await start({ responder: runTurns });
      const memory = new InMemorySessionStore();
      await seed(memory, 'h', exchanges, 100);
      let calls = 0;
      const countTokens = (m: Message) => (calls++, estimateTokens(m));
      const agent = agentOn(server, { tools: [lookup], memory, context: slidingWindow({ maxInputTokens: 2_000, countTokens }) });
      await agent.run('go', { sessionId: 'h' });
      return calls;
    };
    const short = await counted(60);
    const long = await counted(2_000);
    expect(long).toBe(short);
    // About the ~63 messages that fit 2,000 tokens, plus the 2 the step added; never the 4,000 stored.
    expect(long).toBeLessThan(80);
  });

  it('an "Input is too long" error trims and retries once; a second one ends the run', async () => {
    const server = await start({
      responder: (call) => {
        if (call.body.messages.length > 25)
          throw new BedrockServiceError(400, 'ValidationException', 'Input is too long for requested model.');
        return { content: [{ text: 'Fine.' }] };
      },
    });
    const memory = new InMemorySessionStore();
    await seed(memory, 'big', 20, 50);
    // The estimate says 30 messages fit; the model disagrees.
    const agent = agentOn(server, { memory, context: slidingWindow({ maxInputTokens: 100_000 }) });
    const retries: AgentEvent[] = [];
    agent.events.on('retry', (event) => retries.push(event));
    const contexts: AgentEvent[] = [];
    agent.events.on('context', (event) => contexts.push(event));
    const result = await agent.run('and now?', { sessionId: 'big' });
    expect(result.text).toBe('Fine.');
    const sizes = server.requests.map((r) => (r.body as { messages: unknown[] }).messages.length);
    expect(sizes[0]).toBe(41);
    // Half of the refused window's estimated tokens: about half of its messages.
    expect(sizes[1]).toBeGreaterThan(10);
    expect(sizes[1]).toBeLessThanOrEqual(25);
    expect(sizes).toHaveLength(2);
    expect(retries).toMatchObject([{ reason: 'context-window', error: { code: 'CONTEXT_WINDOW_EXCEEDED' } }]);
    expect(contexts.map((e) => e.type === 'context' && e.reason)).toEqual(['step', 'overflow']);

    const stubborn = await start({
      responder: () => {
        throw new BedrockServiceError(400, 'ValidationException', 'Input is too long for requested model.');
      },
    });
    const failing = agentOn(stubborn, { memory, context: slidingWindow({ maxInputTokens: 100_000 }) });
    const error = await failing.run('again', { sessionId: 'big' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContextWindowExceededError);
    expect(stubborn.requests).toHaveLength(2);
  });

  it('a model_context_window_exceeded stop trims and retries; without a policy it is ContextWindowExceededError as before', async () => {
    const responder = (call: ConverseCall) =>
      call.body.messages.length > 12
        ? { content: [{ text: 'cut' }], stopReason: 'model_context_window_exceeded' as const }
        : { content: [{ text: 'Short enough.' }] };
    const server = await start({ responder });
    const memory = new InMemorySessionStore();
    await seed(memory, 'stop', 10, 20);
    const trimmed = await agentOn(server, { memory, context: slidingWindow({ maxInputTokens: 100_000 }) }).run('q', { sessionId: 'stop' });
    expect(trimmed.text).toBe('Short enough.');
    // The refused call was billed, so it counts in the step's usage.
    expect(trimmed.steps[0]?.usage.inputTokens).toBe(
      (server.requests[0]?.usage?.inputTokens ?? 0) + (server.requests[1]?.usage?.inputTokens ?? 0),
    );

    const plain = await agentOn(server, { memory })
      .run('q', { sessionId: 'stop' })
      .catch((e: unknown) => e);
    expect(plain).toMatchObject({ code: 'CONTEXT_WINDOW_EXCEEDED', message: expect.stringMatching(/model_context_window_exceeded/) });
  });

  it('a policy that cannot send less ends an overflow with ContextWindowExceededError; one that picks a bad start is a config error', async () => {
    const server = await start({ responder: () => ({ content: [{ text: 'x' }], stopReason: 'model_context_window_exceeded' }) });
    const stuck: ContextPolicy = { select: () => ({ start: 0 }) };
    await expect(agentOn(server, { context: stuck }).run('hi')).rejects.toMatchObject({
      code: 'CONTEXT_WINDOW_EXCEEDED',
      message: expect.stringMatching(/could not send less/),
    });
    const memory = new InMemorySessionStore();
    await seed(memory, 'bad', 2);
    const wrong: ContextPolicy = { select: (): ContextWindow => ({ start: 1 }) };
    await expect(agentOn(server, { memory, context: wrong }).run('hi', { sessionId: 'bad' })).rejects.toMatchObject({
      code: 'AGENT_CONFIG',
      message: expect.stringMatching(/start at message 1/),
    });
  });

  it('a summary is stored as a count of stored messages, so it maps back when the history holds merged user messages', async () => {
    let summaries = 0;
    const server = await start({
      responder: (call) =>
        call.modelId === 'amazon.nova-micro-v1:0' ? { content: [{ text: `summary ${++summaries}` }] } : { content: [{ text: 'ok' }] },
    });
    const memory = new InMemorySessionStore();
    // A run stopped after its tools: its results and the next prompt are two user messages in a row.
    await memory.append(
      'merged',
      [
        { role: 'user', content: [{ text: 'check the disk' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'tu1', name: 'lookup', input: { q: 'disk' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'tu1', content: [{ json: { found: 4 } }] } }] },
      ],
      0,
    );
    for (let i = 1; i <= 4; i++) await memory.append('merged', exchange(i, 10), i);
    const agent = agentOn(server, { tools: [lookup], memory, context: summarizing({ keepRecent: 3 }) });
    await agent.run('next', { sessionId: 'merged' });
    // Sent from "question 4": 9 stored messages come before it, though only 8 sent-form messages do.
    expect((await memory.load('merged'))?.summary).toEqual({ messageCount: 9, text: 'summary 1' });
    expect(bodies(server)[1]?.messages[0]?.content?.[1]?.text).toMatch(/^question 00004/);

    await agent.run('and then', { sessionId: 'merged' });
    expect(summaries).toBe(1);
    const last = bodies(server).at(-1);
    expect(last?.messages[0]?.content?.map((b) => b.text?.slice(0, 22))).toEqual(['<conversation_summary>', 'question 00004 qqqqqqq']);
  });

  it('summarizing asks Nova Micro for a summary, sends it before the kept messages, stores it beside the history, and reuses it next run', async () => {
    const micro: string[] = [];
    const server = await start({
      responder: (call) => {
        if (call.modelId === 'amazon.nova-micro-v1:0') {
          micro.push(JSON.stringify(call.body.messages[0]?.content[0]));
          return { content: [{ text: `They talked about ${micro.length} things.` }] };
        }
        return { content: [{ text: 'Answer.' }] };
      },
    });
    const memory = new InMemorySessionStore();
    await seed(memory, 'sum', 12, 30);
    const agent = agentOn(server, { memory, context: summarizing({ keepRecent: 4 }) });
    const contexts: AgentEvent[] = [];
    agent.events.on('context', (event) => contexts.push(event));
    const first = await agent.run('First question?', { sessionId: 'sum' });

    expect(micro).toHaveLength(1);
    expect(micro[0]).toMatch(/User: question 00000/);
    const proBodies = bodies(server).filter((_, i) => server.requests[i]?.modelId !== 'amazon.nova-micro-v1:0');
    expect(proBodies[0]?.messages[0]?.content?.[0]).toEqual({
      text: '<conversation_summary>\nThey talked about 1 things.\n</conversation_summary>',
    });
    expect(proBodies[0]?.messages).toHaveLength(5);
    const stored = await memory.load('sum');
    expect(stored?.messages).toHaveLength(26);
    expect(stored?.summary).toEqual({ messageCount: 20, text: 'They talked about 1 things.' });
    expect(contexts[0]).toMatchObject({
      type: 'context',
      firstMessage: 20,
      messagesSent: 5,
      summaryUpTo: 20,
      summaryUsage: { inputTokens: expect.any(Number) },
    });
    // The summary's tokens are in the run's usage, and its cost at Micro's price.
    const microUsage = server.requests.find((r) => r.modelId === 'amazon.nova-micro-v1:0')?.usage;
    const proUsage = server.requests.find((r) => r.modelId !== 'amazon.nova-micro-v1:0')?.usage;
    expect(first.usage.inputTokens).toBe((microUsage?.inputTokens ?? 0) + (proUsage?.inputTokens ?? 0));
    expect(first.costUsd).toBeCloseTo(
      ((microUsage?.inputTokens ?? 0) * 0.035 +
        (microUsage?.outputTokens ?? 0) * 0.14 +
        (proUsage?.inputTokens ?? 0) * 0.8 +
        (proUsage?.outputTokens ?? 0) * 3.2) /
        1e6,
      12,
    );

    // The next run starts from the stored summary: no new summary until 2 × keepRecent messages follow it.
    const before = server.requests.length;
    await agent.run('Second question?', { sessionId: 'sum' });
    expect(micro).toHaveLength(1);
    expect(bodies(server)[before]?.messages[0]?.content?.[0]?.text).toMatch(/They talked about 1 things/);
  });
});
