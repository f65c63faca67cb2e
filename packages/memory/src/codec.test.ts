import { describe, expect, it } from 'vitest';
import { SessionCorruptError } from '@novaloop/core';
import { decodeStep, encodeStep, toSessionState } from './codec.js';

describe('codec: pending state', () => {
  it('a stored pending state of the wrong shape is a SessionCorruptError naming the step', () => {
    const text = JSON.stringify({ v: 1, m: [], p: { invocationId: 'x' } });
    expect(() => decodeStep('s', 3, text)).toThrow(SessionCorruptError);
    expect(() => decodeStep('s', 3, text)).toThrow(/step 3 has a malformed pending invocation/);
  });

  it('the latest step that says anything about pending decides it: a state, or null for none', () => {
    const message = { role: 'assistant' as const, content: [{ toolUse: { toolUseId: 't', name: 'n', input: {} } }] };
    const pending = {
      invocationId: 'i',
      runId: 'r',
      stopReason: 'return_control' as const,
      stepIndex: 0,
      message,
      results: [],
      calls: [{ invocationId: 'i', toolUseId: 't', name: 'n', input: {}, kind: 'return_control' as const }],
      pausedAt: '2026-01-01T00:00:00.000Z',
    };
    const steps = [encodeStep([{ role: 'user', content: [{ text: 'q' }] }], { pending }), encodeStep([], { attributes: { a: 1 } })];
    const decode = (texts: string[]) =>
      toSessionState(
        's',
        texts.map((t, i) => ({ version: i + 1, step: decodeStep('s', i + 1, t) })),
      );
    expect(decode(steps)?.pending).toEqual(pending);
    expect(decode([...steps, encodeStep([message], { pending: null })])?.pending).toBeUndefined();

    // A supervisor's pause waiting on a collaborator's round-trips; a malformed wait is corrupt data.
    const collaborators = [{ toolUseId: 't', name: 'n', sessionId: 's:n', invocationId: 'c', calls: ['t2'] }];
    const waiting = {
      ...pending,
      collaborators,
      calls: [{ invocationId: 'c', toolUseId: 't2', name: 'm', input: {}, kind: 'approval' as const, collaborator: ['n'] }],
    };
    expect(decode([encodeStep([], { pending: waiting })])?.pending).toEqual(waiting);
    const bad = JSON.stringify({ v: 1, m: [], p: { ...waiting, collaborators: [{ toolUseId: 't', name: 'n' }] } });
    expect(() => decodeStep('s', 2, bad)).toThrow(/step 2 has a malformed pending invocation/);
  });
});
