import type { Message, StopReason } from '@aws-sdk/client-bedrock-runtime';
import type { NovaloopError } from '../errors.js';
import type { InferenceSettings } from '../model/inference.js';
import type { RunResult } from './run-result.js';
import type { Step, ToolCall } from './run-result.js';
import type { TracePart } from '../trace/trace-types.js';
import type { PendingCall } from '../session/session-store.js';
import type { Usage } from '../model/usage.js';
import type { RouteDecision } from '../routing/choose-route.js';

interface Base {
  runId: string;
  sessionId: string;
}

interface StepBase extends Base {
  stepIndex: number;
}

/**
 * What a model call is for: a step of the loop, a summary a context policy asked for, a cascade's
 * routing decision, or a `classify()` / `extract()` call.
 */
export type ModelCallPurpose = 'step' | 'summary' | 'routing' | 'classify' | 'extract' | 'prompt';

/** Everything a run reports, in order; `agent.stream()` yields these and `agent.events` emits them. */
export type AgentEvent =
  /**
   * `input` is the prompt; a resumed run has none (its input is the answers, in the `resume` and
   * `tool-end` events that follow) and names the invocation it `resumes`.
   */
  | (Base & { type: 'run-start'; input: Message; resumes?: string })
  | (StepBase & { type: 'step-start' })
  /** A model request is about to be sent. `attempt` counts every request of the step, from 1. */
  | (StepBase & {
      type: 'model-request';
      purpose: ModelCallPurpose;
      modelId: string;
      inference: InferenceSettings;
      messageCount: number;
      attempt: number;
    })
  /** Answer text as it arrives, `<thinking>` sections removed. After a `retry`, the step starts over. */
  | (StepBase & { type: 'text-delta'; text: string })
  | (StepBase & { type: 'tool-input-delta'; toolUseId: string; name: string; delta: string })
  /** A model call answered; `usage` and `costUsd` cover every billed attempt of the call (repairs and refused overflows included). */
  | (StepBase & {
      type: 'model-response';
      purpose: ModelCallPurpose;
      modelId: string;
      message: Message;
      stopReason: StopReason;
      usage: Usage;
      costUsd: number | undefined;
      latencyMs: number;
    })
  | (StepBase & { type: 'rationale'; text: string })
  | (StepBase & { type: 'tool-start'; toolUseId: string; name: string; input: unknown })
  | (StepBase & { type: 'tool-end'; call: ToolCall })
  /** A model request failed and is being made again after `delayMs`. */
  | (StepBase & {
      type: 'retry';
      purpose: ModelCallPurpose;
      /** 'context-window': the model refused the input as too long, and the context policy trimmed it. */
      reason: 'transient' | 'malformed-tool-use' | 'context-window';
      /** The attempt about to start: the step's next request number, from 2. */
      attempt: number;
      delayMs: number;
      error: { code: string; message: string };
    })
  /**
   * The context policy changed what is sent: messages from `firstMessage` of the conversation, and a
   * summary of those before `summaryUpTo` when there is one. `summaryUsage` is set when a summary
   * was written for it.
   */
  | (StepBase & {
      type: 'context';
      reason: 'step' | 'overflow';
      firstMessage: number;
      messagesSent: number;
      summaryUpTo: number | undefined;
      summaryUsage: Usage | undefined;
    })
  /** The step's `calls` wait on the application; the run ends with `stopReason` once the step is stored. */
  | (StepBase & { type: 'pause'; invocationId: string; stopReason: 'return_control' | 'needs_approval'; calls: PendingCall[] })
  /**
   * A resumed run starts (`stepIndex` is the paused step's): its `tool-start` / `tool-end` events for
   * the answered calls follow, then its steps from `stepIndex + 1`.
   */
  | (StepBase & { type: 'resume'; invocationId: string; calls: PendingCall[] })
  /**
   * A trace part of a collaborator (`agent.asTool()`) this step's tool call `toolUseId` is running; the
   * same part also comes as a 'trace' part of this run. `part.runId` is the collaborator's run.
   */
  | (StepBase & { type: 'collaborator-trace'; toolUseId: string; collaboratorName: string; part: TracePart })
  | (StepBase & { type: 'step-end'; step: Step })
  /** A cascade chose the run's route (before the first step). */
  | (Base & { type: 'route'; decision: RouteDecision })
  | (Base & { type: 'trace'; part: TracePart })
  | (Base & { type: 'error'; error: NovaloopError })
  | (Base & { type: 'run-end'; result: RunResult });

export type AgentEventType = AgentEvent['type'];

/**
 * Listener signatures for `agent.events` (eventemitter3). Each gets its event object, except
 * 'trace', whose listeners get the Bedrock-Agents-shaped `TracePart` itself.
 */
export type AgentEventMap = {
  [K in Exclude<AgentEventType, 'trace'>]: (event: Extract<AgentEvent, { type: K }>) => void;
} & { trace: (part: TracePart) => void };

type ModelRequestEvent = Extract<AgentEvent, { type: 'model-request' }>;

/**
 * The messages each `model-request` sent, for the trace's message sizes. Kept beside the event rather
 * than in it: the array is the loop's own (no copy is made per step), and a listener that froze it
 * would break the loop. Internal: not exported from the package.
 */
export const sentMessages = new WeakMap<ModelRequestEvent, readonly Message[]>();

/**
 * Where the loop puts each event the moment it happens. Calling a function, rather than yielding up a
 * chain of async generators (loop, step, driver, tools), costs an event a call instead of a promise
 * and a microtask per layer: that chain was most of novaloop's own CPU per run.
 */
export type Emit = (event: AgentEvent) => void;
