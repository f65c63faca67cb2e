import type { ConverseRequest, InferenceConfiguration } from '@aws-sdk/client-bedrock-runtime';
import type { ModelInfo } from './model-catalog.js';

/** Sampling settings; whatever is left unset is the model's default and is not sent. */
export interface InferenceOptions {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  /** Sent in `additionalModelRequestFields` (Converse has no topK field). */
  topK?: number;
  stopSequences?: string[];
}

export type InferenceSettings = InferenceOptions;

// Nova's default output budget when maxTokens is not sent; the first repair doubles it.
const ASSUMED_DEFAULT_MAX_TOKENS = 5_000;

/**
 * The settings a step starts with. maxTokens is capped at the model's limit (the service rejects more).
 * For Nova with tools, AWS documents greedy decoding (temperature 0, topK 1) as what keeps tool calls
 * well-formed, so it is the default for any field the user left unset, unless `greedyTools` is false.
 */
export function resolveInference(
  options: InferenceOptions | undefined,
  model: ModelInfo,
  hasTools: boolean,
  greedyTools: boolean,
): InferenceSettings {
  const settings: InferenceSettings = { ...options };
  if (settings.maxTokens !== undefined && model.maxOutputTokens !== undefined) {
    settings.maxTokens = Math.min(settings.maxTokens, model.maxOutputTokens);
  }
  if (model.family === 'nova' && hasTools && greedyTools) {
    settings.temperature ??= 0;
    settings.topK ??= 1;
  }
  return settings;
}

/** The settings for asking again after Nova broke a tool call: greedy, with room for the whole call. */
export function repairInference(current: InferenceSettings, model: ModelInfo): InferenceSettings {
  const doubled = (current.maxTokens ?? ASSUMED_DEFAULT_MAX_TOKENS) * 2;
  return {
    ...current,
    temperature: 0,
    topK: 1,
    maxTokens: model.maxOutputTokens !== undefined ? Math.min(doubled, model.maxOutputTokens) : doubled,
  };
}

/** Splits settings into Converse's `inferenceConfig` and the model-specific topK field. */
export function inferenceRequestFields(
  settings: InferenceSettings,
  model: ModelInfo,
): Pick<ConverseRequest, 'inferenceConfig' | 'additionalModelRequestFields'> {
  // A step's settings object is the same every step (a repair makes a new one): split it once.
  const known = splitCache.get(settings);
  if (known && known.family === model.family) return known.fields;
  const fields = splitInference(settings, model);
  splitCache.set(settings, { family: model.family, fields });
  return fields;
}

const splitCache = new WeakMap<
  InferenceSettings,
  { family: ModelInfo['family']; fields: Pick<ConverseRequest, 'inferenceConfig' | 'additionalModelRequestFields'> }
>();

function splitInference(
  settings: InferenceSettings,
  model: ModelInfo,
): Pick<ConverseRequest, 'inferenceConfig' | 'additionalModelRequestFields'> {
  const { topK, ...config } = settings;
  const inferenceConfig: InferenceConfiguration = {};
  for (const key of ['maxTokens', 'temperature', 'topP', 'stopSequences'] as const) {
    if (config[key] !== undefined) Object.assign(inferenceConfig, { [key]: config[key] });
  }
  const fields: Pick<ConverseRequest, 'inferenceConfig' | 'additionalModelRequestFields'> = {};
  if (Object.keys(inferenceConfig).length > 0) fields.inferenceConfig = inferenceConfig;
  if (topK !== undefined) {
    // Nova reads topK under inferenceConfig; Anthropic models read top_k at the top level.
    fields.additionalModelRequestFields = model.family === 'nova' ? { inferenceConfig: { topK } } : { top_k: topK };
  }
  return fields;
}
