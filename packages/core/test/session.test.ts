import { describe, expect, it } from 'vitest';
import { InMemorySessionStore, SessionConflictError, SessionStoreError, type AgentEvent, type SessionStore } from '../src/index.js';
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
