import { ConverseCommand, type BedrockRuntimeClient, type ConverseRequest, type Message } from '@aws-sdk/client-bedrock-runtime';
import type { CompletionRequest } from './context.js';
import { explainFailure } from './endpoint-errors.js';
import { classifyError } from './classify-error.js';
import { BedrockRequestError, ContextWindowExceededError, MalformedToolUseError } from './errors.js';
import type { AgentEvent } from './events.js';
import { inferenceRequestFields, repairInference, type InferenceSettings } from './inference.js';
import type { ModelInfo } from './model-catalog.js';
import { converse, converseStream, type ModelTurn } from './model-call.js';
import { backoffDelay, sleep, type ResolvedRetry } from './retry-policy.js';
import { ThinkingFilter } from './thinking.js';
import type { TracePart, TraceRecorder } from './trace.js';
import { addUsage, emptyUsage, toUsage, type Usage } from './usage.js';

export interface ModelCallConfig {
  client: BedrockRuntimeClient;
  modelId: string;
  model: ModelInfo;
  stream: boolean;
  retry: ResolvedRetry;
  /** Greedy re-asks after a broken tool call, on top of the first attempt. */
  toolUseRepairs: number;
  /** The request without messages and inference settings: system, toolConfig. */
  base: Omit<ConverseRequest, 'modelId' | 'messages' | 'inferenceConfig' | 'additionalModelRequestFields'>;
  random: () => number;
}

export interface StepCall {
  runId: string;
  sessionId: string;
  stepIndex: number;
  /** What is sent: the whole conversation, or the context policy's window of it. */
  messages: Message[];
  /** Where `messages` starts in the conversation, and whether its first message carries a summary. */
  window: { start: number; summarized: boolean };
  inference: InferenceSettings;
  recorder: TraceRecorder;
  signal: AbortSignal;
}

export interface StepTurn {
  turn: ModelTurn;
  /** Answer text without thinking, trimmed. */
  text: string;
  rationale: string | undefined;
  /** Summed over every attempt that returned a response (a repaired attempt is still billed). */
  usage: Usage;
  attempts: number;
}

/**
 * One step's model call: transient failures are retried with full-jitter backoff, broken Nova tool
 * calls are asked again greedily with more output room, and each of those is an event. Returns
 * `'aborted'` if the signal fires, including during a backoff sleep.
 */
export async function* callModel(config: ModelCallConfig, step: StepCall): AsyncGenerator<AgentEvent, StepTurn | 'aborted'> {
  const ids = { runId: step.runId, sessionId: step.sessionId, stepIndex: step.stepIndex };
  const usage = emptyUsage();
  let inference = step.inference;
  let attempts = 0;
  let transientRetries = 0;
  let repairs = 0;
  const call = config.stream ? converseStream : converse;

  for (;;) {
    attempts++;
    const request: ConverseRequest = {
      modelId: config.modelId,
      messages: step.messages,
      ...config.base,
      ...inferenceRequestFields(inference, config.model),
    };
    yield { type: 'model-request', ...ids, modelId: config.modelId, inference, messageCount: step.messages.length, attempt: attempts };
    const sent = { start: step.window.start, count: step.messages.length, first: step.window.summarized ? step.messages[0] : undefined };
    yield trace(ids, step.recorder.modelInput(step.stepIndex, config.modelId, inference, sent, attempts));

    const filter = new ThinkingFilter();
    let reasoning = '';
    let turn: ModelTurn | undefined;
    let failure: unknown;
    try {
      const deltas = call(config.client, request, step.signal);
      let next = await deltas.next();
      while (!next.done) {
        const delta = next.value;
        if (delta.kind === 'text') {
          const visible = filter.push(delta.text);
          if (visible) yield { type: 'text-delta', ...ids, text: visible };
        } else if (delta.kind === 'tool-input') {
          yield { type: 'tool-input-delta', ...ids, toolUseId: delta.toolUseId, name: delta.name, delta: delta.delta };
        } else {
          reasoning += delta.text;
        }
        next = await deltas.next();
      }
      turn = next.value;
    } catch (error) {
      failure = error;
    }
    if (step.signal.aborted) return 'aborted';

    let brokenReason: string | undefined;
    if (failure !== undefined) {
      const kind = classifyError(failure);
      if (kind.kind === 'tool-use') {
        brokenReason = `${kind.code}: ${kind.message}`;
      } else if (kind.kind === 'transient' && transientRetries + 1 < config.retry.maxAttempts) {
        transientRetries++;
        const delayMs = backoffDelay(transientRetries, config.retry, config.random);
        yield {
          type: 'retry',
          ...ids,
          reason: 'transient',
          attempt: attempts + 1,
          delayMs,
          error: { code: kind.code, message: kind.message },
        };
        try {
          await sleep(delayMs, step.signal);
        } catch {
          return 'aborted';
        }
        continue;
      } else if (kind.kind === 'context-window') {
        throw new ContextWindowExceededError(`The conversation is too long for ${config.modelId} (${kind.message})`, { cause: failure });
      } else {
        throw bedrockError(kind, transientRetries + 1, failure, config.modelId);
      }
    } else if (turn) {
      addUsage(usage, turn.usage);
      brokenReason = brokenToolUseReason(turn);
    }

    if (brokenReason !== undefined) {
      if (repairs >= config.toolUseRepairs) throw new MalformedToolUseError(repairs + 1, brokenReason, { cause: failure });
      repairs++;
      inference = repairInference(inference, config.model);
      yield trace(ids, step.recorder.reprompt(step.stepIndex, brokenReason));
      yield {
        type: 'retry',
        ...ids,
        reason: 'malformed-tool-use',
        attempt: attempts + 1,
        delayMs: 0,
        error: { code: 'MALFORMED_TOOL_USE', message: brokenReason },
      };
      continue;
    }

    if (!turn) throw new Error('unreachable: a model call returned neither a turn nor an error');
    const tail = filter.flush();
    if (tail) yield { type: 'text-delta', ...ids, text: tail };
    const visible = collectVisibleText(turn.message);
    const thinking = filter.rationale;
    const rationale = [thinking, reasoning.trim() || undefined].filter((part) => part !== undefined).join('\n\n') || undefined;
    return { turn, text: visible, rationale, usage, attempts };
  }
}

/**
 * One plain Converse request for a context policy (a summary): transient failures are retried
 * like the loop's own calls; anything else fails the run with the same errors.
 */
export async function completeText(
  config: ModelCallConfig,
  request: CompletionRequest,
  signal: AbortSignal,
): Promise<{ text: string; usage: Usage }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await config.client.send(
        new ConverseCommand({
          modelId: request.modelId,
          system: [{ text: request.system }],
          messages: [{ role: 'user', content: [{ text: request.prompt }] }],
          inferenceConfig: { maxTokens: request.maxTokens, temperature: 0 },
        }),
        { abortSignal: signal },
      );
      const text = (response.output?.message?.content ?? []).map((block) => block.text ?? '').join('');
      return { text, usage: toUsage(response.usage) };
    } catch (error) {
      if (signal.aborted) throw error;
      const kind = classifyError(error);
      if (kind.kind !== 'transient' || attempt >= config.retry.maxAttempts) throw bedrockError(kind, attempt, error, request.modelId);
      await sleep(backoffDelay(attempt, config.retry, config.random), signal);
    }
  }
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

const trace = (ids: { runId: string; sessionId: string }, part: TracePart): AgentEvent => ({
  type: 'trace',
  runId: ids.runId,
  sessionId: ids.sessionId,
  part,
});
