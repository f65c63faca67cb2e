import type { ConverseRequest, Message } from '@aws-sdk/client-bedrock-runtime';
import { BedrockRequestError, ContextWindowExceededError, MalformedToolUseError, NovaloopError } from '../errors.js';
import { sentMessages, type AgentEvent, type Emit, type ModelCallPurpose } from '../loop/events.js';
import { classifyError } from './classify-error.js';
import { performance } from 'node:perf_hooks';
import { conversedTurn, StreamedTurn, type ModelDelta, type ModelTurn } from './converse-transport.js';
import type { ConverseWire } from './converse-wire.js';
import { explainFailure } from './endpoint-errors.js';
import { inferenceRequestFields, repairInference, type InferenceSettings } from './inference.js';
import type { ModelInfo, ModelPrice } from './model-catalog.js';
import { backoffDelay, sleep, type ResolvedRetry } from './retry-policy.js';
import { ThinkingFilter } from './thinking.js';
import { addUsage, costOf, emptyUsage, type Usage } from './usage.js';

/** What every model call of an agent shares: the wire (AWS SDK client or lean) and the retry policy. */
export interface ModelTransport {
  wire: ConverseWire;
  /** ConverseStream for steps (default), or Converse; summaries always use Converse. */
  stream: boolean;
  retry: ResolvedRetry;
  random: () => number;
}

/** One model call: what to send, and how the driver may recover when the answer is unusable. */
export interface ModelCallRequest {
  purpose: ModelCallPurpose;
  modelId: string;
  model: ModelInfo;
  /** `undefined` only when the agent has no `maxCostUsd` (checked at construction). */
  price: ModelPrice | undefined;
  messages: Message[];
  /** The request without messages and inference settings: system, toolConfig. */
  base: Omit<ConverseRequest, 'modelId' | 'messages' | 'inferenceConfig' | 'additionalModelRequestFields'>;
  inference: InferenceSettings;
  /** Greedy re-asks after a broken tool call, on top of the first attempt (0: none). */
  toolUseRepairs: number;
  /**
   * `promptCache: 'auto'`'s moving checkpoints: a cachePoint is sent after each of these messages (found
   * by identity among the last few). Only the request gets them; the conversation (and what is stored)
   * is left as it is.
   */
  cacheAfter?: readonly Message[];
  /**
   * Asked once when the model refuses the input as too long: the messages to send instead, or
   * `undefined` when nothing shorter can be sent. Without it an overflow fails the call.
   */
  shrink?: () => Promise<Message[] | undefined>;
}

/** Where a call happens: the run, the step, the attempt counter of the step, and the run's totals. */
export interface ModelCallScope {
  runId: string;
  sessionId: string;
  stepIndex: number;
  signal: AbortSignal;
  /** Requests made so far in this step, by every call of the step: attempt numbers never restart in a step. */
  attempts: { count: number };
  /** Adds a billed attempt's usage, at `price` (`undefined`: unknown), to the run's totals. */
  account(modelId: string, usage: Usage, price: ModelPrice | undefined): void;
  /**
   * Whether anyone hears a delta event of this type, asked as each delta arrives (absent: always).
   * A `run()` nobody listens to for deltas gets none made: they would be passed up the loop only to
   * be dropped.
   */
  hears?: (type: DeltaEventType) => boolean;
  /** Where the call's events go, as they happen. */
  emit: Emit;
  /** `stream()`'s: resolves once its consumer took every event so far (see `AsyncQueue.taken`). */
  handedOut?: (() => Promise<void>) | undefined;
}

export type DeltaEventType = 'text-delta' | 'tool-input-delta';

const always = () => true;

export interface ModelCallResult {
  turn: ModelTurn;
  /** Answer text without thinking, trimmed. */
  text: string;
  rationale: string | undefined;
  /** Summed over every attempt that returned a response (a repaired or refused attempt is still billed). */
  usage: Usage;
  costUsd: number | undefined;
}

/**
 * The model-call driver: every model request of a run goes through here. It owns the retries
 * (transient failures with full-jitter backoff, greedy re-asks after a broken tool call, one
 * context-overflow retry through `shrink`), the abort, the `model-request` / `retry` /
 * `model-response` events with attempt numbers counted per step, and usage and cost. Returns
 * `'aborted'` if the signal fires, including during a backoff sleep.
 */
export async function driveModelCall(
  transport: ModelTransport,
  request: ModelCallRequest,
  scope: ModelCallScope,
): Promise<ModelCallResult | 'aborted'> {
  const { purpose, modelId } = request;
  const ids = { runId: scope.runId, sessionId: scope.sessionId, stepIndex: scope.stepIndex };
  const isStep = purpose === 'step';
  // A step, or a forced-tool call (classify, extract, routing), gets greedy re-asks after a broken tool call.
  const repairable = isStep || request.toolUseRepairs > 0;
  const usage = emptyUsage();
  let messages = request.messages;
  let inference = request.inference;
  let transientRetries = 0;
  let repairs = 0;
  let shrunk = false;
  const streaming = isStep && transport.stream;
  const hears = scope.hears ?? always;
  const { emit } = scope;

  for (;;) {
    const attempt = ++scope.attempts.count;
    const converseRequest = converseRequestOf(request, messages, inference);
    const { runId, sessionId, stepIndex } = ids;
    const requested: AgentEvent = {
      type: 'model-request',
      runId,
      sessionId,
      stepIndex,
      purpose,
      modelId,
      inference,
      messageCount: messages.length,
      attempt,
    };
    sentMessages.set(requested, messages);
    emit(requested);
    if (scope.handedOut) {
      await scope.handedOut();
      if (scope.signal.aborted) return 'aborted';
    }

    const filter = new ThinkingFilter();
    let reasoning = '';
    /** A delta's event (a summary's text is not the run's answer: no deltas for it); reasoning is kept for the rationale. */
    const deltaEvent = (delta: ModelDelta): AgentEvent | undefined => {
      if (!isStep) return undefined;
      if (delta.kind === 'text') {
        // The filter runs either way: what it holds back makes the rationale.
        const visible = filter.push(delta.text);
        return visible && hears('text-delta') ? { type: 'text-delta', ...ids, text: visible } : undefined;
      }
      if (delta.kind === 'tool-input') {
        return hears('tool-input-delta')
          ? { type: 'tool-input-delta', ...ids, toolUseId: delta.toolUseId, name: delta.name, delta: delta.delta }
          : undefined;
      }
      reasoning += delta.text;
      return undefined;
    };
    let turn: ModelTurn | undefined;
    let failure: unknown;
    try {
      const started = performance.now();
      if (streaming) {
        // The SDK's (or the lean wire's) stream, read here: one async step per event, not two.
        const answer = new StreamedTurn(started);
        for await (const streamed of await transport.wire.converseStream(converseRequest, scope.signal)) {
          const delta = answer.push(streamed);
          const event = delta && deltaEvent(delta);
          if (event) emit(event);
        }
        turn = answer.finish();
      } else {
        const response = await transport.wire.converse(converseRequest, scope.signal);
        const answer = conversedTurn(response, performance.now() - started);
        for (const delta of answer.deltas) {
          const event = deltaEvent(delta);
          if (event) emit(event);
        }
        turn = answer.turn;
      }
    } catch (error) {
      failure = error;
    }
    if (scope.signal.aborted) return 'aborted';

    let brokenReason: string | undefined;
    let overflow: ContextWindowExceededError | undefined;
    if (failure !== undefined) {
      const kind = classifyError(failure);
      if (kind.kind === 'tool-use' && repairable) {
        brokenReason = `${kind.code}: ${kind.message}`;
      } else if (kind.kind === 'transient' && transientRetries + 1 < transport.retry.maxAttempts) {
        transientRetries++;
        const delayMs = backoffDelay(transientRetries, transport.retry, transport.random);
        const error = { code: kind.code, message: kind.message };
        emit({ type: 'retry', ...ids, purpose, reason: 'transient', attempt: attempt + 1, delayMs, error });
        try {
          await sleep(delayMs, scope.signal);
        } catch {
          return 'aborted';
        }
        continue;
      } else if (kind.kind === 'context-window') {
        overflow = new ContextWindowExceededError(`The conversation is too long for ${modelId} (${kind.message})`, { cause: failure });
      } else {
        throw bedrockError(kind, transientRetries + 1, failure, modelId);
      }
    } else if (turn) {
      addUsage(usage, turn.usage);
      scope.account(modelId, turn.usage, request.price);
      if (turn.stopReason === 'model_context_window_exceeded') {
        overflow = new ContextWindowExceededError(`${modelId} stopped with model_context_window_exceeded.`);
      } else if (repairable) {
        brokenReason = brokenToolUseReason(turn);
      }
    }

    if (overflow) {
      if (!request.shrink || shrunk) throw overflow;
      shrunk = true;
      const shorter = await request.shrink();
      if (scope.signal.aborted) return 'aborted';
      if (!shorter) {
        throw new ContextWindowExceededError(
          `${overflow.message.replace(/\s*Start a new session.*$/, '')} The context policy could not send less.`,
          { cause: overflow },
        );
      }
      messages = shorter;
      const error = { code: overflow.code, message: overflow.message };
      emit({ type: 'retry', ...ids, purpose, reason: 'context-window', attempt: attempt + 1, delayMs: 0, error });
      continue;
    }

    if (brokenReason !== undefined) {
      if (repairs >= request.toolUseRepairs) throw new MalformedToolUseError(repairs + 1, brokenReason, { cause: failure });
      repairs++;
      inference = repairInference(inference, request.model);
      const error = { code: 'MALFORMED_TOOL_USE', message: brokenReason };
      emit({ type: 'retry', ...ids, purpose, reason: 'malformed-tool-use', attempt: attempt + 1, delayMs: 0, error });
      continue;
    }

    if (!turn) throw new NovaloopError('INTERNAL', 'A model call returned neither a turn nor an error. This is a novaloop bug; report it.');
    const tail = isStep ? filter.flush() : '';
    if (tail && hears('text-delta')) emit({ type: 'text-delta', ...ids, text: tail });
    const costUsd = costOf(usage, request.price);
    emit({
      type: 'model-response',
      runId: ids.runId,
      sessionId: ids.sessionId,
      stepIndex: ids.stepIndex,
      purpose,
      modelId,
      message: turn.message,
      stopReason: turn.stopReason,
      usage,
      costUsd,
      latencyMs: turn.latencyMs,
    });
    const text = collectVisibleText(turn.message);
    const rationale = [filter.rationale, reasoning.trim() || undefined].filter((part) => part !== undefined).join('\n\n') || undefined;
    return { turn, text, rationale, usage, costUsd };
  }
}

/**
 * The Converse request an attempt sends. A batch record's `modelInput` is this request of the first
 * attempt without `modelId`, so a record is exactly what the online call would send.
 */
export function converseRequestOf(
  request: ModelCallRequest,
  messages: Message[] = request.messages,
  inference: InferenceSettings = request.inference,
): ConverseRequest {
  // Field by field, in the order the SDK (and the lean wire's JSON) sends them: a literal with two
  // spreads was copied through the slow path on every model call.
  const converse: ConverseRequest = {
    modelId: request.modelId,
    messages: request.cacheAfter ? withCachePoints(messages, request.cacheAfter) : messages,
  };
  const base = request.base as Record<string, unknown>;
  for (const key in base) (converse as unknown as Record<string, unknown>)[key] = base[key];
  const fields = inferenceRequestFields(inference, request.model);
  if (fields.inferenceConfig) converse.inferenceConfig = fields.inferenceConfig;
  if (fields.additionalModelRequestFields) converse.additionalModelRequestFields = fields.additionalModelRequestFields;
  return converse;
}

// The marked messages are the last one and the end of the step before: never far from the end.
const CACHE_MARK_WINDOW = 8;

/** The messages with a cachePoint after each marked one: a new array and new marked messages, nothing else copied. */
function withCachePoints(messages: Message[], marks: readonly Message[]): Message[] {
  const out = messages.slice();
  let left = marks.length;
  for (let i = out.length - 1; i >= 0 && left > 0 && i >= out.length - CACHE_MARK_WINDOW; i--) {
    const message = out[i] as Message;
    if (!marks.includes(message)) continue;
    out[i] = { ...message, content: [...(message.content ?? []), { cachePoint: { type: 'default' } }] };
    left--;
  }
  return out;
}

/** Why this response is a broken tool call to ask again, or `undefined` if it is usable. */
function brokenToolUseReason(turn: ModelTurn): string | undefined {
  if (turn.stopReason === 'malformed_tool_use' || turn.stopReason === 'malformed_model_output') return `stop reason ${turn.stopReason}`;
  if (turn.brokenToolUse) return 'a toolUse whose input is not a complete JSON object';
  if (turn.stopReason === 'max_tokens' && turn.message.content?.some((block) => block.toolUse !== undefined)) {
    return 'max_tokens reached inside a toolUse';
  }
  return undefined;
}

/** The answer text of a message: its text blocks without `<thinking>` sections, trimmed. */
function collectVisibleText(message: Message): string {
  const filter = new ThinkingFilter();
  let text = '';
  for (const block of message.content ?? []) if (block.text !== undefined) text += filter.push(block.text);
  return (text + filter.flush()).trim();
}

function bedrockError(kind: ReturnType<typeof classifyError>, attempts: number, cause: unknown, modelId: string): BedrockRequestError {
  const explained = explainFailure(kind, attempts, cause);
  if (explained) return explained;
  const retryable = kind.kind === 'transient';
  const next = retryable
    ? `still failing after ${attempts} attempt(s). Raise retry.maxAttempts, or check the service quotas for ${modelId}.`
    : (HINTS[kind.code] ?? 'This error is not retryable: fix the request or the account setup and run again.');
  return new BedrockRequestError(`Bedrock ${kind.code}${kind.status ? ` (${kind.status})` : ''}: ${kind.message} — ${next}`, {
    bedrockCode: kind.code,
    status: kind.status,
    retryable,
    attempts,
    cause,
  });
}

const HINTS: Record<string, string> = {
  AccessDeniedException: 'Check the credentials, and that model access is enabled for this model in the Bedrock console.',
  ValidationException: 'The request was rejected as invalid; the message says which field.',
  ResourceNotFoundException: 'Check the model id and region.',
  ServiceQuotaExceededException: 'A quota is exhausted; request an increase or wait.',
};
