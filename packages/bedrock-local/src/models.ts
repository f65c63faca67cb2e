import { validationError, type BedrockServiceError } from './errors.js';

export interface ModelInfo {
  /** The foundation-model id, e.g. `amazon.nova-pro-v1:0`, whatever form the request used. */
  foundationModelId: string;
  name: 'Nova Micro' | 'Nova Lite' | 'Nova Pro' | 'Nova Premier';
  /** Largest `maxTokens` the service accepts. */
  maxOutputTokens: number;
  contextWindow: number;
  /** Prompt caching: smallest prefix a checkpoint may cover; smaller ones are silently not cached. */
  minCacheCheckpointTokens: number;
}

interface Family extends Omit<ModelInfo, 'foundationModelId'> {
  /** Cross-region inference profile prefixes that exist for this model. */
  profiles: readonly string[];
  /** Whether the bare foundation-model id may be invoked on demand (Premier needs a profile). */
  onDemand: boolean;
}

// Limits from the Nova model cards: Micro 128K context, Lite/Pro 300K, Premier 1M; the service caps
// maxTokens at 10,000 for Micro/Lite/Pro and 25K for Premier.
const FAMILIES: Record<string, Family> = {
  'amazon.nova-micro-v1:0': {
    name: 'Nova Micro',
    maxOutputTokens: 10_000,
    contextWindow: 128_000,
    minCacheCheckpointTokens: 1_000,
    profiles: ['us', 'eu', 'apac'],
    onDemand: true,
  },
  'amazon.nova-lite-v1:0': {
    name: 'Nova Lite',
    maxOutputTokens: 10_000,
    contextWindow: 300_000,
    minCacheCheckpointTokens: 1_000,
    profiles: ['us', 'eu', 'apac'],
    onDemand: true,
  },
  'amazon.nova-pro-v1:0': {
    name: 'Nova Pro',
    maxOutputTokens: 10_000,
    contextWindow: 300_000,
    minCacheCheckpointTokens: 1_000,
    profiles: ['us', 'eu', 'apac'],
    onDemand: true,
  },
  'amazon.nova-premier-v1:0': {
    name: 'Nova Premier',
    maxOutputTokens: 25_000,
    contextWindow: 1_000_000,
    minCacheCheckpointTokens: 1_000,
    profiles: ['us'],
    onDemand: false,
  },
};

const ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:(\d{12})?:(foundation-model|inference-profile)\/(.+)$/;

/**
 * Resolves a model identifier as Bedrock accepts it: a foundation-model id, a cross-region inference
 * profile id (`us.amazon.nova-pro-v1:0`) or the ARN of either. Anything else is the service's
 * "The provided model identifier is invalid." error.
 */
export function resolveModel(modelId: string): ModelInfo {
  let id = modelId;
  let viaProfile = false;
  const arn = ARN.exec(modelId);
  if (arn) {
    id = arn[3] ?? '';
    if (arn[2] === 'inference-profile') {
      if (!arn[1]) throw invalidModel();
      viaProfile = true;
    } else if (arn[1]) {
      throw invalidModel(); // foundation-model ARNs have an empty account field
    }
  }
  let family = FAMILIES[id];
  let foundationModelId = id;
  if (!family) {
    const dot = id.indexOf('.');
    const prefix = id.slice(0, dot);
    foundationModelId = id.slice(dot + 1);
    family = FAMILIES[foundationModelId];
    if (!family || !family.profiles.includes(prefix)) throw invalidModel();
    viaProfile = true;
  } else if (arn?.[2] === 'inference-profile') {
    throw invalidModel(); // an inference-profile ARN must name a profile, not a bare model
  }
  if (!viaProfile && !family.onDemand) {
    throw validationError(
      `Invocation of model ID ${foundationModelId} with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.`,
    );
  }
  const { profiles: _profiles, onDemand: _onDemand, ...info } = family;
  return { ...info, foundationModelId };
}

const invalidModel = (): BedrockServiceError => validationError('The provided model identifier is invalid.');
