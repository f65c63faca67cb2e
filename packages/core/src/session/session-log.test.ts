import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import type { ContextPolicy } from '../context/policy.js';
import { Conversation } from '../context/conversation.js';
import { SessionConflictError, SessionStoreError } from '../errors.js';
import { SessionAttributeState } from './session-attributes.js';
import type { SessionState, SessionStore, SessionUpdate } from './session-store.js';
import { SessionLog } from './session-log.js';

const user = (text: string): Message => ({ role: 'user', content: [{ text }] });
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ text }] });

/** A store that records every call with the arguments it was given. */
class RecordingStore implements SessionStore {
  readonly appends: unknown[][] = [];
  constructor(
    private readonly state: SessionState | undefined,
    private readonly failWith?: unknown,
  ) {}
  async load(): Promise<SessionState | undefined> {
    if (this.failWith !== undefined) throw this.failWith;
    return this.state;
  }
  async append(...args: [string, readonly Message[], number, SessionUpdate?]): Promise<number> {
    this.appends.push(args);
    if (this.failWith !== undefined) throw this.failWith;
    return args[2] + 1;
  }
}

const windowOptions = (policy: ContextPolicy | undefined) => ({
  policy,
  ids: { runId: 'r', sessionId: 's' },
  // These policies write no summaries, so nothing is ever completed.
  complete: async () => 'aborted' as const,
  fixedTokens: 0,
  signal: new AbortController().signal,
  emit: () => undefined,
});

describe('SessionLog', () => {
  it('appends the prompt with the first step, then only new messages, each time with the version the last call returned', async () => {
    const store = new RecordingStore({ messages: [user('a'), assistant('b')], version: 4 });
    const prompt = user('c');
    const writer = new SessionLog(store, 's', prompt);
    const loaded = await writer.load();
    const attributes = new SessionAttributeState(loaded?.attributes, undefined);
    const conversation = new Conversation(windowOptions(undefined), loaded?.messages ?? [], prompt, undefined);

    await writer.save([assistant('d')], attributes, conversation);
    await writer.save([], attributes, conversation);
    // Nothing but messages changed: the store is called with three arguments.
    expect(store.appends).toEqual([
      ['s', [prompt, assistant('d')], 4],
      ['s', [], 5],
    ]);
  });

  it('stores attributes only with the append after they changed', async () => {
    const store = new RecordingStore(undefined);
    const writer = new SessionLog(store, 's', user('p'));
    await writer.load();
    const attributes = new SessionAttributeState(undefined, { tier: 'gold' });
    const conversation = new Conversation(windowOptions(undefined), [], user('p'), undefined);

    await writer.save([assistant('a')], attributes, conversation);
    await writer.save([assistant('b')], attributes, conversation);
    attributes.set('team', 'payments');
    await writer.save([assistant('c')], attributes, conversation);
    expect(store.appends.map((call) => call[3])).toEqual([
      { attributes: { tier: 'gold' } },
      undefined,
      { attributes: { tier: 'gold', team: 'payments' } },
    ]);
    expect(store.appends[1]).toHaveLength(3);
    expect(attributes.changed).toBe(false);
  });

  it('stores a new summary once, counted in stored messages', async () => {
    // Two stored user messages in a row become one message of the conversation.
    const history = [user('a'), user('b'), assistant('c'), user('d'), assistant('e')];
    const store = new RecordingStore({ messages: history, version: 1 });
    const prompt = user('f');
    const writer = new SessionLog(store, 's', prompt);
    const loaded = await writer.load();
    const policy: ContextPolicy = { select: () => ({ start: 2, summary: { text: 'S', upTo: 2 } }) };
    const conversation = new Conversation(windowOptions(policy), loaded?.messages ?? [], prompt, loaded?.summary);
    const attributes = new SessionAttributeState(undefined, undefined);

    await conversation.choose('step', 0);
    await writer.save([assistant('g')], attributes, conversation);
    await conversation.choose('step', 1);
    await writer.save([], attributes, conversation);
    expect(store.appends.map((call) => call[3])).toEqual([{ summary: { messageCount: 3, text: 'S' } }, undefined]);
  });

  it('wraps a store failure in SessionStoreError, and lets novaloop errors through', async () => {
    const driverError = new Error('connection refused.');
    const failing = new SessionLog(new RecordingStore(undefined, driverError), 's', user('p'));
    const loadError = await failing.load().catch((error: unknown) => error);
    expect(loadError).toBeInstanceOf(SessionStoreError);
    expect((loadError as SessionStoreError).cause).toBe(driverError);
    expect((loadError as SessionStoreError).message).toContain('could not load session s: connection refused.');

    const attributes = new SessionAttributeState(undefined, undefined);
    const conversation = new Conversation(windowOptions(undefined), [], user('p'), undefined);
    const appendError = await failing.save([], attributes, conversation).catch((error: unknown) => error);
    expect(appendError).toBeInstanceOf(SessionStoreError);
    expect((appendError as SessionStoreError).message).toContain('could not append session s');

    const conflict = new SessionConflictError('s', 0, 3);
    const conflicted = new SessionLog(new RecordingStore(undefined, conflict), 's', user('p'));
    expect(await conflicted.save([], attributes, conversation).catch((error: unknown) => error)).toBe(conflict);
  });
});
