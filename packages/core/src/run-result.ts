import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { SessionAttributes } from './session-store.js';
import type { Step } from './step.js';
import type { TracePart } from './trace.js';
import type { Usage } from './usage.js';

/**
 * Why a run ended without an error. `max_steps`, `budget` and `aborted` are novaloop's own; the others
 * are the model's stop reason of the last step.
 */
export type RunStopReason =
  'end_turn' | 'stop_sequence' | 'max_tokens' | 'guardrail_intervened' | 'content_filtered' | 'max_steps' | 'budget' | 'aborted';

export interface RunResult {
  runId: string;
  sessionId: string;
  /** The final answer, without `<thinking>` sections. */
  text: string;
  stopReason: RunStopReason;
  steps: Step[];
  /** Every trace part of the run, as emitted on `agent.events` 'trace'. */
  trace: TracePart[];
  /** Tokens over every model call of the run, failed repair attempts included. */
  usage: Usage;
  /** USD; `undefined` when the model's price is unknown (never 0 for "unknown"). */
  costUsd: number | undefined;
  /**
   * The whole conversation after this run, as the model saw it: the session's history (a trailing
   * user message merged with this run's prompt) and this run's steps.
   */
  messages: Message[];
  /** The session's attributes after this run. */
  sessionAttributes: SessionAttributes;
}
