import { describe, expect, it } from 'vitest';
import { UnknownStopReasonError } from '../errors.js';
import { decideStop, type StopState } from './decide-stop.js';

const base: StopState = { aborted: false, costUsd: 0, maxCostUsd: undefined };
const step = (over: Partial<NonNullable<StopState['step']>> = {}): NonNullable<StopState['step']> => ({
  stopReason: 'tool_use',
  calledTools: true,
  index: 0,
  maxSteps: 10,
  ...over,
});

describe('decideStop', () => {
  it('goes on before a step, and ends an aborted run before or between steps', () => {
    expect(decideStop(base)).toBeUndefined();
    expect(decideStop({ ...base, aborted: true })).toBe('aborted');
    expect(decideStop({ ...base, step: step() })).toBeUndefined();
    expect(decideStop({ ...base, aborted: true, step: step() })).toBe('aborted');
  });

  it("before the first step, a budget a cascade's classifier used up ends the run", () => {
    expect(decideStop({ ...base, costUsd: 0, maxCostUsd: 1 })).toBeUndefined();
    expect(decideStop({ ...base, costUsd: 2, maxCostUsd: 1 })).toBe('budget');
    expect(decideStop({ ...base, costUsd: undefined, maxCostUsd: 1 })).toBeUndefined();
  });

  it('after tools: abort first, then the budget (only with a known cost), then the step limit', () => {
    expect(decideStop({ ...base, aborted: true, costUsd: 5, maxCostUsd: 1, step: step({ index: 9 }) })).toBe('aborted');
    expect(decideStop({ ...base, costUsd: 1, maxCostUsd: 1, step: step({ index: 9 }) })).toBe('budget');
    expect(decideStop({ ...base, costUsd: 0.5, maxCostUsd: 1, step: step() })).toBeUndefined();
    expect(decideStop({ ...base, costUsd: undefined, maxCostUsd: 1, step: step() })).toBeUndefined();
    expect(decideStop({ ...base, step: step({ index: 9 }) })).toBe('max_steps');
  });

  it('a step without tools ends the run with the model stop reason, even if aborted after the answer', () => {
    for (const reason of ['end_turn', 'stop_sequence', 'max_tokens', 'guardrail_intervened', 'content_filtered'] as const) {
      expect(decideStop({ ...base, aborted: true, step: step({ stopReason: reason, calledTools: false }) })).toBe(reason);
    }
    expect(decideStop({ ...base, step: step({ stopReason: 'tool_use', calledTools: false }) })).toBe('end_turn');
  });

  it('the last allowed step answering after earlier steps ends as max_steps; a one-step run does not', () => {
    expect(decideStop({ ...base, step: step({ stopReason: 'end_turn', calledTools: false, index: 2, maxSteps: 3 }) })).toBe('max_steps');
    expect(decideStop({ ...base, step: step({ stopReason: 'end_turn', calledTools: false, index: 0, maxSteps: 1 }) })).toBe('end_turn');
    expect(decideStop({ ...base, step: step({ stopReason: 'max_tokens', calledTools: false, index: 2, maxSteps: 3 }) })).toBe('max_tokens');
  });

  it('an unknown stop reason is a typed error naming it, never end_turn', () => {
    const unknown = () => decideStop({ ...base, step: step({ stopReason: 'brand_new' as never, calledTools: false }) });
    expect(unknown).toThrow(UnknownStopReasonError);
    expect(unknown).toThrow(/"brand_new"/);
  });

  it('a pause for the application comes after an abort and before the budget and the step limit', () => {
    expect(decideStop({ ...base, step: step({ paused: 'return_control' }) })).toBe('return_control');
    expect(decideStop({ ...base, step: step({ paused: 'needs_approval', index: 9 }) })).toBe('needs_approval');
    expect(decideStop({ ...base, costUsd: 2, maxCostUsd: 1, step: step({ paused: 'needs_approval' }) })).toBe('needs_approval');
    expect(decideStop({ ...base, aborted: true, step: step({ paused: 'return_control' }) })).toBe('aborted');
  });

  it('a text answer of a run that wants typed output goes on to the forced answer, while steps are left', () => {
    const text = { calledTools: false, stopReason: 'end_turn' as const, wantsOutput: true };
    expect(decideStop({ ...base, step: step(text) })).toBeUndefined();
    expect(decideStop({ ...base, step: step({ ...text, index: 9 }) })).toBe('max_steps');
    expect(decideStop({ ...base, step: step({ ...text, stopReason: 'max_tokens' }) })).toBe('max_tokens');
    // The accepted forced answer: a tool_use stop whose only call was the output tool.
    expect(decideStop({ ...base, step: step({ calledTools: false, stopReason: 'tool_use' }) })).toBe('end_turn');
  });
});
