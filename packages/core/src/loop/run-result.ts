import type { Message, StopReason, ToolResultContentBlock } from '@aws-sdk/client-bedrock-runtime';
import type { PendingCall, SessionAttributes } from '../session/session-store.js';
import type { TracePart } from '../trace/trace-types.js';
import type { Usage } from '../model/usage.js';
import type { RouteDecision } from '../routing/choose-route.js';
import type { ModelUsage } from './run-totals.js';

/**
 * Why a run ended without an error. `max_steps`, `budget`, `aborted`, `return_control` and
 * `needs_approval` are novaloop's own; the others
 * are the model's stop reason of the last step.
 */
export type RunStopReason =
  | 'end_turn'
  | 'stop_sequence'
  | 'max_tokens'
  | 'guardrail_intervened'
  | 'content_filtered'
  | 'max_steps'
  | 'budget'
  | 'aborted'
  /** Paused: a tool that returns control was called; `RunResult.pending` lists what to run, `agent.resume` continues. */
  | 'return_control'
  /** Paused: a call needs approval; `RunResult.pending` lists it, `agent.resume` approves or denies. */
  | 'needs_approval';

export interface RunResult {
  runId: string;
  sessionId: string;
  /** The final answer, without `<thinking>` sections. */
  text: string;
  stopReason: RunStopReason;
  steps: Step[];
  /**
   * Every trace part of the run, as emitted on `agent.events` 'trace': plain data, made ready when
   * first read (a run nobody traces serialises nothing for it).
   */
  trace: TracePart[];
  /** Tokens over every model request of the run: repaired and refused attempts and summaries included. */
  usage: Usage;
  /**
   * USD; `undefined` when the model's price is unknown (never 0 for "unknown"). `usage` and `costUsd`
   * include the runs of collaborators (`agent.asTool()`) this run called.
   */
  costUsd: number | undefined;
  /** Usage and cost per model id (as sent): the steps' model, a cascade's classifier, a summarizing policy's model, and every collaborator's. */
  usageByModel: Record<string, ModelUsage>;
  /** How a cascade chose this run's model; `undefined` when the agent's `model` is a model id. */
  route: RouteDecision | undefined;
  /**
   * The whole conversation after this run, as the model saw it: the session's history (a trailing
   * user message merged with this run's prompt) and this run's steps.
   */
  messages: Message[];
  /** The session's attributes after this run. */
  sessionAttributes: SessionAttributes;
  /**
   * With stopReason 'return_control' or 'needs_approval': the calls the run waits on, to answer with
   * `agent.resume(sessionId, results)`. Empty otherwise.
   */
  pending: PendingCall[];
}

/** A `RunResult` of a run that asked for typed output. */
export interface TypedRunResult<T> extends RunResult {
  /** The answer, parsed by the output schema; `undefined` when the run ended without one (a pause, an abort, a limit). */
  output: T | undefined;
}

/** One tool call the model asked for, and what the tool answered. */
export interface ToolCall {
  toolUseId: string;
  name: string;
  /** The input as the model sent it (before schema defaults or transforms). */
  input: unknown;
  status: 'success' | 'error';
  /** The toolResult content sent back to the model. */
  content: ToolResultContentBlock[];
  /** For `status: 'error'`: what went wrong, as told to the model. */
  error?: string;
  durationMs: number;
}

/** One model call and the tool calls it led to. */
export interface Step {
  index: number;
  modelId: string;
  /** The Converse stop reason of this call. */
  stopReason: StopReason;
  /** The assistant message as the model wrote it (thinking included), as kept in history. */
  message: Message;
  /** The answer text of this call, without `<thinking>` sections. */
  text: string;
  /** Nova's `<thinking>` text (or reasoning content) of this call. */
  rationale: string | undefined;
  /** The calls that ran in this step (a paused step's waiting calls are in `pending`). */
  toolCalls: ToolCall[];
  /** Set on a step that paused: the calls it waits on. */
  pending?: PendingCall[];
  /** Set on the step whose forced answer the output schema accepted: the parsed output. */
  output?: unknown;
  usage: Usage;
  /** USD; `undefined` when the model's price is unknown. */
  costUsd: number | undefined;
  /** Model time of the successful attempt, from request to the last byte. */
  latencyMs: number;
  /**
   * Model requests this step made: 1, plus transient retries, greedy tool-use repairs, a
   * context-overflow retry, and any summary the context policy asked for (the last `attempt` number).
   */
  attempts: number;
  startTime: Date;
  endTime: Date;
}
