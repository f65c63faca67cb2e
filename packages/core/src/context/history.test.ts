import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { continueConversation, userMessage } from './history.js';

const user = (text: string): Message => ({ role: 'user', content: [{ text }] });
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ text }] });

describe('continueConversation', () => {
  it('appends the prompt after an assistant turn without copying messages', () => {
    const history = [user('a'), assistant('b')];
    const next = continueConversation(history, user('c'));
    expect(next).toEqual([user('a'), assistant('b'), user('c')]);
    expect(next[0]).toBe(history[0]);
    expect(history).toHaveLength(2);
  });

  it('merges the prompt into a trailing user message (a run that stopped after its tools)', () => {
    const results: Message = { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'ok' }] } }] };
    const next = continueConversation(
      [user('a'), { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'x', input: {} } }] }, results],
      user('c'),
    );
    expect(next).toHaveLength(3);
    expect(next[2]).toEqual({ role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'ok' }] } }, { text: 'c' }] });
  });

  it('merges consecutive user messages left in a stored history', () => {
    expect(continueConversation([user('a'), user('b'), assistant('c')], user('d'))).toEqual([
      { role: 'user', content: [{ text: 'a' }, { text: 'b' }] },
      assistant('c'),
      user('d'),
    ]);
  });

  it('userMessage wraps a string or passes content blocks through', () => {
    expect(userMessage('hi')).toEqual(user('hi'));
    expect(userMessage([{ text: 'x' }, { text: 'y' }])).toEqual({ role: 'user', content: [{ text: 'x' }, { text: 'y' }] });
  });
});
