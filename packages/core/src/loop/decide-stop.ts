import type { StopReason } from '@aws-sdk/client-bedrock-runtime';
import { UnknownStopReasonError } from '../errors.js';
import type { RunStopReason } from './run-result.js';

/** What the loop knows when it decides whether the run ends. */
export interface StopState {
  aborted: boolean;
  /** The run's cost so far; `undefined` when a price is unknown (then no budget applies). */
  costUsd: number | undefined;
  maxCostUsd: number | undefined;
  /** The step just completed, if any: absent before a step starts and after an aborted model call. */
  step?: {
    /** The model's stop reason of the step's call. */
    stopReason: StopReason;
    /** Whether the step ran tools (their results go back to the model if the run goes on). */
    calledTools: boolean;
    index: number;
    maxSteps: number;
    /** Set when some of the step's calls wait on the application (a tool that returns control, or an approval). */
    paused?: 'return_control' | 'needs_approval';
    /** The run asked for typed output (`run(input, { output })`) and has none yet. */
    wantsOutput?: boolean;
  };
}

/** The model's stop reasons that end a run as they are. */
const FINISHING: Partial<Record<string, RunStopReason>> = {
  end_turn: 'end_turn',
  stop_sequence: 'stop_sequence',
  max_tokens: 'max_tokens',
  guardrail_intervened: 'guardrail_intervened',
  content_filtered: 'content_filtered',
  // A tool_use stop with no toolUse block has nothing to run: the model is done.
  tool_use: 'end_turn',
};

/**
 * The one stop rule of the loop: why the run ends now, or `undefined` to go on. A step without tool
 * calls always ends the run (its answer is complete, so an abort that came too late does not
 * discard it) — unless the run wants typed output, which a text answer is not: then the run goes on
 * to a step that forces it, while steps are left. Otherwise an abort, then a pause for the
 * application, then the budget, then the step limit end it. Throws
 * `UnknownStopReasonError` for a stop reason it does not know, rather than guess that the answer is whole.
 */
export function decideStop(state: StopState): RunStopReason | undefined {
  const { step } = state;
  if (step && !step.calledTools) {
    const finished = FINISHING[step.stopReason];
    if (finished === undefined) throw new UnknownStopReasonError(step.stopReason);
    // A step the final-step prompt asked to wrap up ends the run as max_steps.
    const isLast = step.index + 1 >= step.maxSteps;
    if (step.wantsOutput && !isLast && (finished === 'end_turn' || finished === 'stop_sequence')) return undefined;
    return isLast && step.index > 0 && (finished === 'end_turn' || finished === 'stop_sequence') ? 'max_steps' : finished;
  }
  if (state.aborted) return 'aborted';
  if (step?.paused) return step.paused;
  // Before the first step only a cascade's classifier has cost anything; a budget it used up still ends the run.
  if (state.maxCostUsd !== undefined && state.costUsd !== undefined && state.costUsd >= state.maxCostUsd) return 'budget';
  if (!step) return undefined;
  if (step.index + 1 >= step.maxSteps) return 'max_steps';
  return undefined;
}
