import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import type { ContextPolicy, ContextWindow } from './policy.js';
import { Conversation } from './conversation.js';
import { AgentConfigError } from '../errors.js';
import type { AgentEvent } from '../loop/events.js';

const user = (text: string): Message => ({ role: 'user', content: [{ text }] });
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ text }] });

const options = (policy: ContextPolicy | undefined) => ({
  policy,
  ids: { runId: 'r', sessionId: 's' },
  // These policies write no summaries, so nothing is ever completed.
  complete: async () => 'aborted' as const,
  fixedTokens: 0,
  signal: new AbortController().signal,
  emit: (event: AgentEvent) => seen.push(event),
});

/** The events of the choice being made. */
let seen: AgentEvent[] = [];

async function run(choose: () => Promise<boolean | 'aborted'>): Promise<{ events: AgentEvent[]; shrank: boolean | 'aborted' }> {
  seen = [];
  const shrank = await choose();
  return { events: seen, shrank };
}

describe('Conversation', () => {
  it('without a policy sends the conversation itself, and choosing does nothing', async () => {
    const state = new Conversation(options(undefined), [user('a'), assistant('b')], user('c'), undefined);
    expect(state.sent).toBe(state.messages);
    expect(await run(() => state.choose('step', 0))).toEqual({ events: [], shrank: false });
    state.push(assistant('d'));
    expect(state.sent).toBe(state.messages);
    expect(state.messages).toHaveLength(4);
    expect(state.sentWindow()).toEqual({ start: 0, summarized: false });
    expect(state.unsavedSummary()).toBeUndefined();
  });

  it('keeps sending the same array while the window stays at the start', async () => {
    const state = new Conversation(options({ select: () => ({ start: 0 }) }), [], user('a'), undefined);
    const { events } = await run(() => state.choose('step', 0));
    expect(events).toEqual([
      {
        type: 'context',
        runId: 'r',
        sessionId: 's',
        stepIndex: 0,
        reason: 'step',
        firstMessage: 0,
        messagesSent: 1,
        summaryUpTo: undefined,
        summaryUsage: undefined,
      },
    ]);
    expect(state.sent).toBe(state.messages);
    // The window did not move: no event.
    expect((await run(() => state.choose('step', 1))).events).toEqual([]);
  });

  it('sends a copy once the window moves, and pushes new messages to both', async () => {
    let next: ContextWindow = { start: 2, summary: { text: 'S', upTo: 2 } };
    const state = new Conversation(
      options({ select: () => next }),
      [user('a'), assistant('b'), user('c'), assistant('d')],
      user('e'),
      undefined,
    );
    const first = await run(() => state.choose('step', 0));
    expect(first.shrank).toBe(false);
    expect(state.sent).not.toBe(state.messages);
    expect(state.sent[0]?.content?.[0]?.text).toContain('S');
    expect(state.sentWindow()).toEqual({ start: 2, summarized: true });
    state.push(assistant('f'));
    expect(state.messages).toHaveLength(6);
    expect(state.sent).toHaveLength(4);
    expect(state.sent.at(-1)).toBe(state.messages.at(-1));

    next = { start: 4, summary: { text: 'T', upTo: 4 } };
    expect((await run(() => state.choose('overflow', 0))).shrank).toBe(true);
  });

  it('resumes a stored summary and stores only a summary that differs from it', async () => {
    const history = [user('a'), assistant('b'), user('c'), assistant('d')];
    const stored = { messageCount: 2, text: 'S' };
    let next: ContextWindow = { start: 2, summary: { text: 'S', upTo: 2 } };
    const select = (request: { summary: unknown }): ContextWindow => {
      expect(request.summary).toEqual({ text: 'S', upTo: 2 });
      return next;
    };
    const state = new Conversation(options({ select }), history, user('e'), stored);
    await run(() => state.choose('step', 0));
    expect(state.unsavedSummary()).toBeUndefined();

    next = { start: 4, summary: { text: 'T', upTo: 4 } };
    const state2 = new Conversation(options({ select: () => next }), history, user('e'), stored);
    await run(() => state2.choose('step', 0));
    expect(state2.unsavedSummary()).toEqual({ messageCount: 4, text: 'T' });
    state2.markSaved({ messageCount: 4, text: 'T' });
    expect(state2.unsavedSummary()).toBeUndefined();
  });

  it('rejects a window that does not start at a cut point', async () => {
    const state = new Conversation(options({ select: () => ({ start: 1 }) }), [user('a'), assistant('b')], user('c'), undefined);
    await expect(run(() => state.choose('step', 0))).rejects.toBeInstanceOf(AgentConfigError);
  });

  it('a policy that throws is a config error naming the policy, with its error as the cause', async () => {
    const bug = new TypeError('boom');
    const policy: ContextPolicy = {
      select: () => {
        throw bug;
      },
    };
    const state = new Conversation(options(policy), [], user('q'), undefined);
    const error = await run(() => state.choose('step', 0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentConfigError);
    expect(error).toMatchObject({ message: expect.stringMatching(/context policy failed: boom/), cause: bug });
  });
});
