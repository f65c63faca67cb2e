import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  InMemorySessionStore,
  SessionConflictError,
  SessionInputError,
  SessionStoreError,
  tool,
  type AgentEvent,
  type SessionStore,
} from '../src/index.js';
import { assertValidHistory, INFRA_QUESTION, INFRA_SCRIPT, infraTools, useBedrock } from './helpers.js';

const msg = (role: 'user' | 'assistant', text: string) => ({ role, content: [{ text }] });

describe('InMemorySessionStore', () => {
  it('appends with the version it read and rejects a stale version, writing nothing', async () => {
    const store = new InMemorySessionStore();
    expect(await store.load('s')).toBeUndefined();
    expect(await store.append('s', [msg('user', 'a'), msg('assistant', 'b')], 0)).toBe(1);
    const error = await store.append('s', [msg('user', 'stale')], 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionConflictError);
    expect(error).toMatchObject({ code: 'SESSION_CONFLICT', sessionId: 's', expectedVersion: 0, actualVersion: 1 });
    expect((await store.load('s'))?.messages).toHaveLength(2);
  });

  it('hands out copies of the message list', async () => {
    const store = new InMemorySessionStore();
    await store.append('s', [msg('user', 'a')], 0);
    (await store.load('s'))?.messages.push(msg('assistant', 'not appended'));
    expect((await store.load('s'))?.messages).toHaveLength(1);
  });

  it('drops the least recently used session past maxSessions', async () => {
    const store = new InMemorySessionStore({ maxSessions: 2 });
    await store.append('a', [msg('user', 'a')], 0);
    await store.append('b', [msg('user', 'b')], 0);
    await store.load('a');
    await store.append('c', [msg('user', 'c')], 0);
    expect(store.size).toBe(2);
    expect(await store.load('b')).toBeUndefined();
    expect(await store.load('a')).toBeDefined();
  });
});

describe('runs and sessions', () => {
  const { start, agentOn } = useBedrock();

  it('stores each completed step as it ends, so a failure later keeps the earlier steps', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    server.injectFaults({ fault: { kind: 'throttling' }, requests: [3, 4] });
    const agent = agentOn(server, { tools: infraTools, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    await expect(agent.run(INFRA_QUESTION, { sessionId: 'partial' })).rejects.toMatchObject({ code: 'BEDROCK_RETRIES_EXHAUSTED' });
    const stored = await agent.memory.load('partial');
    expect(stored?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(stored?.version).toBe(2);
    assertValidHistory(stored?.messages ?? []);
  });

  it('two runs racing on one session: one fails with SessionConflictError, the stored history stays valid', async () => {
    const server = await start({ script: INFRA_SCRIPT, latencyMs: 5 });
    const agent = agentOn(server, { tools: infraTools });
    const errors: AgentEvent[] = [];
    agent.events.on('error', (event) => errors.push(event));
    const outcomes = await Promise.allSettled([
      agent.run(INFRA_QUESTION, { sessionId: 'race' }),
      agent.run(INFRA_QUESTION, { sessionId: 'race' }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(SessionConflictError);
    expect(errors).toHaveLength(1);
    const stored = await agent.memory.load('race');
    expect(stored?.messages).toHaveLength(6);
    assertValidHistory(stored?.messages ?? []);
  });

  it('uses the store it is given', async () => {
    const server = await start();
    const memory = new InMemorySessionStore();
    await agentOn(server, { memory }).run('hello', { sessionId: 'mine' });
    expect((await memory.load('mine'))?.messages).toHaveLength(2);
  });

  it('a store that fails to load or append ends the run with SessionStoreError, an error event and a failureTrace', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const down: SessionStore = {
      load: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
      append: () => Promise.reject(new Error('unreachable')),
    };
    const agent = agentOn(server, { tools: infraTools, memory: down });
    const errors: AgentEvent[] = [];
    agent.events.on('error', (event) => errors.push(event));
    const error = await agent.run(INFRA_QUESTION, { sessionId: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toMatchObject({
      code: 'SESSION_STORE',
      sessionId: 'x',
      message: expect.stringMatching(/could not load session x: connect ECONNREFUSED/),
    });
    expect(errors).toHaveLength(1);
    expect(server.requests).toHaveLength(0);

    const readOnly: SessionStore = { load: async () => undefined, append: () => Promise.reject(new Error('disk full')) };
    const failure = await agentOn(server, { tools: infraTools, memory: readOnly })
      .run(INFRA_QUESTION)
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'SESSION_STORE',
      message: expect.stringMatching(/could not append .*disk full.*This step was not saved/),
    });
    expect(server.requests).toHaveLength(1);
  });
});

describe('session attributes and summaries', () => {
  const { start, agentOn } = useBedrock();

  it('InMemorySessionStore stores attributes and summaries with an append, as copies', async () => {
    const store = new InMemorySessionStore();
    const attributes = { region: 'eu-west-1', limits: { maxRows: 10 } };
    await store.append('s', [msg('user', 'a')], 0, { attributes, summary: { messageCount: 0, text: 'nothing yet' } });
    attributes.limits.maxRows = 99;
    await store.append('s', [msg('assistant', 'b')], 1);
    const loaded = await store.load('s');
    expect(loaded).toMatchObject({ version: 2, attributes: { region: 'eu-west-1', limits: { maxRows: 10 } } });
    expect(loaded?.summary).toEqual({ messageCount: 0, text: 'nothing yet' });
    (loaded?.attributes?.limits as { maxRows: number }).maxRows = 5;
    expect((await store.load('s'))?.attributes).toEqual({ region: 'eu-west-1', limits: { maxRows: 10 } });
  });

  it('bad arguments are a SessionInputError, and nothing is written', async () => {
    const store = new InMemorySessionStore();
    const bad: [string, unknown, unknown, unknown, RegExp][] = [
      ['', [], 0, undefined, /session id must be a non-empty string/],
      ['x'.repeat(513), [], 0, undefined, /at most 512 characters/],
      ['s', [], -1, undefined, /expectedVersion must be an integer ≥ 0/],
      ['s', [], 1.5, undefined, /expectedVersion/],
      ['s', [{ role: 'system', content: [] }], 0, undefined, /messages\[0\] is not a Bedrock message/],
      ['s', [{ role: 'user' }], 0, undefined, /messages\[0\]/],
      ['s', 'hello', 0, undefined, /messages must be an array/],
      ['s', [], 0, { attributes: [1] }, /update.attributes must be a plain object/],
      ['s', [], 0, { summary: { text: 'x' } }, /update.summary must be/],
    ];
    for (const [id, messages, version, update, message] of bad) {
      const error = await store.append(id, messages as never, version as number, update as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionInputError);
      expect(error).toMatchObject({ code: 'SESSION_INPUT', message: expect.stringMatching(message) });
    }
    await expect(store.load('')).rejects.toMatchObject({ code: 'SESSION_INPUT' });
    expect(store.size).toBe(0);
  });

  it('a run merges its sessionAttributes into the stored ones; tools read and set them, saved with their step', async () => {
    const server = await start({
      // Turn 0 is the stored exchange below; the script answers by the number of assistant messages.
      script: {
        turns: [
          { content: [{ text: 'hello' }] },
          { content: [{ toolUse: { toolUseId: 'auto', name: 'remember', input: { key: 'team', value: 'payments' } } }] },
          { content: [{ text: 'Noted.' }] },
        ],
      },
    });
    const seen: unknown[] = [];
    const remember = tool({
      name: 'remember',
      description: 'Remember a fact about the user for later turns',
      input: z.object({ key: z.string(), value: z.string() }),
      run: ({ key, value }, ctx) => {
        seen.push({ ...ctx.session.attributes });
        ctx.session.set(key, value);
        ctx.session.set('tier', undefined);
        expect(() => ctx.session.set('when', new Date() as never)).toThrow(TypeError);
        return 'ok';
      },
    });
    const memory = new InMemorySessionStore();
    await memory.append('attr', [msg('user', 'hi'), msg('assistant', 'hello')], 0, { attributes: { tier: 'gold', locale: 'en' } });
    const agent = agentOn(server, { tools: [remember], memory });
    const result = await agent.run('Remember that my team is payments.', { sessionId: 'attr', sessionAttributes: { locale: 'fr' } });

    expect(seen).toEqual([{ tier: 'gold', locale: 'fr' }]);
    expect(result.sessionAttributes).toEqual({ locale: 'fr', team: 'payments' });
    expect((await memory.load('attr'))?.attributes).toEqual({ locale: 'fr', team: 'payments' });
  });

  it('a run that sets no attributes leaves the stored ones alone and appends without an update', async () => {
    const server = await start();
    const appends: unknown[][] = [];
    const inner = new InMemorySessionStore();
    await inner.append('same', [msg('user', 'hi'), msg('assistant', 'hello')], 0, { attributes: { a: 1 } });
    const memory: SessionStore = {
      load: (id) => inner.load(id),
      append: (...args) => {
        appends.push(args);
        return inner.append(...args);
      },
    };
    const result = await agentOn(server, { memory }).run('again', { sessionId: 'same' });
    expect(result.sessionAttributes).toEqual({ a: 1 });
    expect(appends.map((args) => args.length)).toEqual([3]);
    expect((await inner.load('same'))?.attributes).toEqual({ a: 1 });
  });
});
