/**
 * What novaloop knows about a model: its output-token limit (maxTokens is capped to it) and its list
 * price. Profile ids (`us.`, `eu.`, `apac.`, `global.`) and ARNs resolve to the base model.
 */
export interface ModelPrice {
  /** USD per 1M input tokens. */
  inputPer1M: number;
  /** USD per 1M output tokens. */
  outputPer1M: number;
  /** USD per 1M input tokens read from the prompt cache; defaults to `inputPer1M`. */
  cacheReadPer1M?: number;
  /** USD per 1M input tokens written to the prompt cache; defaults to `inputPer1M`. */
  cacheWritePer1M?: number;
}

export interface ModelInfo {
  /** The base model id, e.g. `amazon.nova-pro-v1:0`. */
  baseModelId: string;
  family: 'nova' | 'other';
  /** The service's maxTokens limit, when known. */
  maxOutputTokens: number | undefined;
  price: ModelPrice | undefined;
  /** Prompt caching, when the model supports it: the fewest tokens a checkpoint's prefix needs, and the most checkpoints a request may have. */
  promptCache: { minTokens: number; maxCheckpoints: number } | undefined;
}

// Nova prompt caching: a checkpoint is created only once its prefix has 1,000 tokens; at most 4 per request.
const NOVA_PROMPT_CACHE = { minTokens: 1_000, maxCheckpoints: 4 };

// Bedrock on-demand list prices in us-east-1 (USD per 1M tokens). Nova bills prompt-cache reads at
// 25% of the input price and cache writes at the input price.
const NOVA: Record<string, { maxOutputTokens: number; price: ModelPrice }> = {
  'amazon.nova-micro-v1:0': { maxOutputTokens: 10_000, price: { inputPer1M: 0.035, outputPer1M: 0.14, cacheReadPer1M: 0.00875 } },
  'amazon.nova-lite-v1:0': { maxOutputTokens: 10_000, price: { inputPer1M: 0.06, outputPer1M: 0.24, cacheReadPer1M: 0.015 } },
  'amazon.nova-pro-v1:0': { maxOutputTokens: 10_000, price: { inputPer1M: 0.8, outputPer1M: 3.2, cacheReadPer1M: 0.2 } },
  'amazon.nova-premier-v1:0': { maxOutputTokens: 25_000, price: { inputPer1M: 2.5, outputPer1M: 12.5, cacheReadPer1M: 0.625 } },
};

const PROFILE_PREFIX = /^(?:us|eu|apac|us-gov|global|jp|au|ca)\./;

/** `arn:aws:bedrock:us-east-1:123:inference-profile/us.amazon.nova-pro-v1:0` → `amazon.nova-pro-v1:0`. */
export function baseModelId(modelId: string): string {
  const slash = modelId.startsWith('arn:') ? modelId.lastIndexOf('/') : -1;
  const id = slash >= 0 ? modelId.slice(slash + 1) : modelId;
  return id.replace(PROFILE_PREFIX, '');
}

export function modelInfo(modelId: string): ModelInfo {
  const base = baseModelId(modelId);
  const nova = NOVA[base];
  return {
    baseModelId: base,
    family: base.startsWith('amazon.nova') ? 'nova' : 'other',
    maxOutputTokens: nova?.maxOutputTokens,
    price: nova?.price,
    promptCache: nova ? NOVA_PROMPT_CACHE : undefined,
  };
}
