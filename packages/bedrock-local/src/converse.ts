import { performance } from 'node:perf_hooks';
import { BedrockServiceError, NOVA_TOOL_USE_STREAM_ERROR, SERVICE_MESSAGES, serviceErrors, validationError } from './errors.js';
import { closingEvents, contentEvents, encodeEvent, encodeException } from './event-stream.js';
import type { RequestFaults } from './faults.js';
import type { ModelInfo } from './models.js';
import type { PromptCache } from './prompt-cache.js';
import { assistantTurns, defaultStopReason, defaultTurn, materialize, type CompiledScript, type ScriptTurn } from './script.js';
import { shapeOutput } from './shape-output.js';
import { promptSegments } from './tokens.js';
import { validateConverseRequest } from './validate.js';
import type { ConverseRequestBody, StopReason, TokenUsage } from './wire-types.js';

export type ConverseRoute = 'converse' | 'converse-stream';

/** What a `responder` is given: one validated Converse request. */
export interface ConverseCall {
  /** The model id as sent in the URL (profile id or ARN included). */
  modelId: string;
  model: ModelInfo;
  route: ConverseRoute;
  body: ConverseRequestBody;
  /** Number of assistant messages already in `body.messages`: the turn being asked for, from 0. */
  turnIndex: number;
}

/** Answers a request with a turn; may throw a `BedrockServiceError` to answer that error instead. */
export type Responder = (call: ConverseCall) => ScriptTurn | Promise<ScriptTurn>;

/** What the transport must send, after waiting `delayMs`. */
export type Reply =
  | { kind: 'error'; error: BedrockServiceError }
  | { kind: 'drop' }
  | { kind: 'json'; body: unknown }
  /** An answer of another service (bedrock-agent, Lambda), sent as it is. */
  | { kind: 'raw'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'stream'; frames: Uint8Array[]; cutAfterLast: boolean };

export interface Outcome {
  reply: Reply;
  delayMs: number;
  usage?: TokenUsage;
  stopReason?: StopReason;
  /** The exception type sent inside the stream, if any. */
  streamError?: string;
}

export interface ConverseContext {
  script: CompiledScript | undefined;
  responder: Responder | undefined;
  cache: PromptCache;
  latencyMs: number;
}

/** Serves one Converse / ConverseStream request whose route, auth and model id are already checked. */
export async function serveConverse(
  ctx: ConverseContext,
  call: { modelId: string; model: ModelInfo; route: ConverseRoute; rawBody: unknown; faults: RequestFaults; startedAt: number },
): Promise<Outcome> {
  const { model, route, faults } = call;
  let delayMs = ctx.latencyMs + faults.latencyMs;
  const fault = faults.fault;
  if (fault && fault.kind in HTTP_FAULTS) {
    return { reply: { kind: 'error', error: HTTP_FAULTS[fault.kind as keyof typeof HTTP_FAULTS]() }, delayMs };
  }
  if (fault?.kind === 'drop-connection') return { reply: { kind: 'drop' }, delayMs };

  const body = validateConverseRequest(call.rawBody, model);
  const segments = promptSegments(body);
  let promptTokens = 0;
  let hasCachePoint = false;
  for (const segment of segments) {
    promptTokens += segment.tokens;
    if (segment.cachePoint) hasCachePoint = true;
  }
  if (promptTokens > model.contextWindow) throw validationError('Input is too long for requested model.');

  const turnIndex = assistantTurns(body);
  const turn = ctx.responder
    ? await ctx.responder({ modelId: call.modelId, model, route, body, turnIndex })
    : ctx.script
      ? ctx.script.turnFor(body)
      : defaultTurn(body);
  if (!turn || !Array.isArray(turn.content)) {
    throw new BedrockServiceError(500, 'InternalServerException', 'bedrock-local: the responder returned no turn ({ content: [...] }).');
  }
  delayMs += turn.latencyMs ?? 0;

  const content = materialize(turn);
  const shaped = shapeOutput(
    content,
    turn.stopReason ?? defaultStopReason(content),
    body.inferenceConfig?.maxTokens ?? model.maxOutputTokens,
    body.inferenceConfig?.stopSequences,
  );

  // Cache accounting only runs when the request asks for it, so long uncached histories stay cheap.
  const cached = hasCachePoint ? ctx.cache.account(model.foundationModelId, segments, model.minCacheCheckpointTokens) : undefined;
  const read = cached?.cacheReadInputTokens ?? 0;
  const write = cached?.cacheWriteInputTokens ?? 0;
  const inputTokens = promptTokens - read - write;
  const usage: TokenUsage = {
    inputTokens,
    outputTokens: shaped.outputTokens,
    totalTokens: inputTokens + shaped.outputTokens + read + write,
    ...(cached ?? {}),
  };
  const latencyMs = Math.round(delayMs + performance.now() - call.startedAt);

  if (route === 'converse') {
    if (shaped.truncatedToolUse) return { reply: { kind: 'error', error: serviceErrors.modelToolUse() }, delayMs, usage };
    return {
      reply: {
        kind: 'json',
        body: {
          output: { message: { role: 'assistant', content: shaped.content } },
          stopReason: shaped.stopReason,
          usage,
          metrics: { latencyMs },
        },
      },
      delayMs,
      usage,
      stopReason: shaped.stopReason,
    };
  }

  const events = contentEvents(shaped.content);
  if (shaped.truncatedToolUse) {
    const frames = events.map(encodeEvent);
    frames.push(encodeException('modelStreamErrorException', NOVA_TOOL_USE_STREAM_ERROR));
    return { reply: { kind: 'stream', frames, cutAfterLast: false }, delayMs, usage, streamError: 'modelStreamErrorException' };
  }
  events.push(...closingEvents(shaped.stopReason, usage, latencyMs));
  const frames = events.map(encodeEvent);
  if (fault?.kind === 'stream-exception') {
    const exception = fault.exception ?? 'modelStreamErrorException';
    const kept = frames.slice(0, fault.afterEvents);
    kept.push(encodeException(exception, fault.message ?? streamExceptionMessage(exception)));
    return { reply: { kind: 'stream', frames: kept, cutAfterLast: false }, delayMs, usage, streamError: exception };
  }
  if (fault?.kind === 'stream-cut') {
    const at = Math.min(fault.afterEvents, frames.length - 1);
    const kept = frames.slice(0, at);
    const next = frames[at] as Uint8Array;
    kept.push(next.subarray(0, Math.max(1, next.length >> 1)));
    return { reply: { kind: 'stream', frames: kept, cutAfterLast: true }, delayMs, usage, streamError: 'cut' };
  }
  return { reply: { kind: 'stream', frames, cutAfterLast: false }, delayMs, usage, stopReason: shaped.stopReason };
}

/** Faults answered as an HTTP error before the request is validated, as the service throttles first. */
const HTTP_FAULTS = {
  throttling: serviceErrors.throttling,
  'service-unavailable': serviceErrors.serviceUnavailable,
  'internal-error': serviceErrors.internal,
  'model-error': serviceErrors.modelToolUse,
} as const;

const STREAM_EXCEPTION_MESSAGES: Record<string, string> = {
  throttlingException: SERVICE_MESSAGES.throttling,
  internalServerException: SERVICE_MESSAGES.internal,
  serviceUnavailableException: SERVICE_MESSAGES.serviceUnavailable,
  validationException: 'The model returned an invalid response.',
};

const streamExceptionMessage = (type: string): string => STREAM_EXCEPTION_MESSAGES[type] ?? NOVA_TOOL_USE_STREAM_ERROR;
