import type { BedrockRuntimeClient, SystemContentBlock, Tool as ToolEntry } from '@aws-sdk/client-bedrock-runtime';
import type { ClientConfig } from '../model/client.js';
import type { ModelTransport } from '../model/drive-model-call.js';
import { openWire } from '../model/open-wire.js';
import { modelInfo, type ModelInfo, type ModelPrice } from '../model/model-catalog.js';
import { checkInference, checkModelId } from '../model/preflight.js';
import { systemWithCachePoint, type PromptCacheMode } from '../model/prompt-cache.js';
import { resolveRetry, type RetryOptions } from '../model/retry-policy.js';
import { AgentConfigError } from '../errors.js';

/** Nova Micro: what classify() and extract() use unless told otherwise. */
export const DEFAULT_STRUCTURED_MODEL = 'us.amazon.nova-micro-v1:0';

/** What `classify()` and `extract()` share with `Agent`'s options. */
export interface StructuredCallOptions {
  /** Default `us.amazon.nova-micro-v1:0`. */
  model?: string;
  /** The system prompt. */
  instructions?: string;
  /** A Bedrock client, e.g. `agent.client` to share an Agent's pooled connections (recommended in a request path). */
  client?: BedrockRuntimeClient;
  /** Settings for a client made for this one call (and closed after it) when `client` is not given. */
  clientConfig?: ClientConfig;
  /** The connection made for this call when `client` is not given: `'sdk'` (default) or `'lean'` (see Agent's `transport`). */
  transport?: 'sdk' | 'lean';
  signal?: AbortSignal;
  /** The same policy as an Agent's (default 4 attempts, 500 ms base, 20 s cap). */
  retry?: RetryOptions;
  /** 'auto': a cachePoint after the instructions when that prefix reaches the model's minimum. Default 'off'. */
  promptCache?: PromptCacheMode;
  /** Overrides the built-in price table for `model` (USD per 1M tokens). */
  price?: ModelPrice;
  /** Output token limit of each request. */
  maxTokens?: number;
}

export interface PreparedCall {
  modelId: string;
  model: ModelInfo;
  price: ModelPrice | undefined;
  system: SystemContentBlock[] | undefined;
  retry: ModelTransport['retry'];
}

/** Checks the options shared by classify() and extract(), before anything is sent. */
export function prepareCall(
  options: StructuredCallOptions,
  tool: ToolEntry | undefined,
  defaultMaxTokens: number,
): PreparedCall & { maxTokens: number } {
  const modelId = options.model ?? DEFAULT_STRUCTURED_MODEL;
  checkModelId(modelId);
  const maxTokens = options.maxTokens ?? defaultMaxTokens;
  checkInference({ maxTokens });
  const promptCache = options.promptCache ?? 'off';
  if (promptCache !== 'auto' && promptCache !== 'off') throw new AgentConfigError("`promptCache` must be 'auto' or 'off'.");
  const model = modelInfo(modelId);
  const system = options.instructions ? [{ text: options.instructions }] : undefined;
  const retry = resolveRetry(options.retry);
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1)
    throw new AgentConfigError('`retry.maxAttempts` must be an integer ≥ 1.');
  return {
    modelId,
    model,
    price: options.price ?? model.price,
    system: systemWithCachePoint(promptCache, system, tool ? [tool] : [], model),
    retry,
    maxTokens,
  };
}

/** The transport of one call: the given client, or a connection made for it (`owned`: close it after). */
export function transportFor(
  options: StructuredCallOptions,
  retry: ModelTransport['retry'],
): { transport: ModelTransport; owned: boolean } {
  const { wire } = openWire(options);
  return { transport: { wire, stream: false, retry, random: Math.random }, owned: options.client === undefined };
}
