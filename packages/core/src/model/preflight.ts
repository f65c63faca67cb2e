import type { ContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { NovaloopError } from '../errors.js';
import type { InferenceOptions } from './inference.js';
import { baseModelId } from './model-catalog.js';

// Requests Bedrock would reject, caught before sending: the same rule and the service's own text,
// with what to change, instead of a round trip (and on a remote region, a second or so) per mistake.

/** A request that Bedrock would reject as invalid; nothing was sent. `code` says which check. */
export class InvalidRequestError extends NovaloopError {
  /** The field at fault: `prompt`, `model`, `inference.temperature`, ... */
  readonly field: string;

  constructor(code: 'PROMPT_EMPTY' | 'INFERENCE_OUT_OF_RANGE' | 'MODEL_ID_INVALID', field: string, serviceText: string, advice: string) {
    super(code, `${serviceText} (${field}; checked before sending, nothing was sent) ${advice}`);
    this.field = field;
  }
}

/** A prompt the service rejects as blank: an empty or whitespace-only string, no blocks, a blank text block. */
export function checkPrompt(input: string | readonly ContentBlock[]): void {
  const advice = 'Pass the question or instruction to run() or stream() as non-blank text.';
  if (typeof input === 'string') {
    if (input.trim() === '') {
      throw new InvalidRequestError(
        'PROMPT_EMPTY',
        'prompt',
        'The text field in the ContentBlock object at messages.0.content.0 is blank. Add text to the text field, and try again.',
        advice,
      );
    }
    return;
  }
  if (!Array.isArray(input) || input.length === 0) {
    throw new InvalidRequestError(
      'PROMPT_EMPTY',
      'prompt',
      'The content field in the Message object at messages.0 is empty. Add a ContentBlock object to the content field and try again.',
      advice,
    );
  }
  input.forEach((block, i) => {
    if (typeof block.text === 'string' && block.text.trim() === '') {
      throw new InvalidRequestError(
        'PROMPT_EMPTY',
        `prompt[${i}]`,
        `The text field in the ContentBlock object at messages.0.content.${i} is blank. Add text to the text field, and try again.`,
        'Remove the block or give it text.',
      );
    }
  });
}

/**
 * temperature and topP in [0, 1] and maxTokens a whole number ≥ 1, as the service constrains them.
 * (A maxTokens over the model's known limit is not an error: it is capped to the limit, see inference.ts.)
 */
export function checkInference(options: InferenceOptions | undefined): void {
  for (const name of ['temperature', 'topP'] as const) {
    const value = options?.[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || value > 1) {
      const bound = typeof value === 'number' && value > 1 ? 'less than or equal to 1' : 'greater than or equal to 0';
      throw new InvalidRequestError(
        'INFERENCE_OUT_OF_RANGE',
        `inference.${name}`,
        `1 validation error detected: Value '${String(value)}' at 'inferenceConfig.${name}' failed to satisfy constraint: Member must have value ${bound}.`,
        `Set ${name} between 0 and 1 (Nova's default: ${name === 'temperature' ? '0.7' : '0.9'}), or leave it out.`,
      );
    }
  }
  const maxTokens = options?.maxTokens;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw new InvalidRequestError(
      'INFERENCE_OUT_OF_RANGE',
      'inference.maxTokens',
      `1 validation error detected: Value '${String(maxTokens)}' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1.`,
      'Set maxTokens to a whole number of output tokens, or leave it out for the model default.',
    );
  }
}

const KNOWN_NOVA = ['amazon.nova-micro-v1:0', 'amazon.nova-lite-v1:0', 'amazon.nova-pro-v1:0', 'amazon.nova-premier-v1:0'];
const ID_CHARACTERS = /^[A-Za-z0-9._:/-]{1,2048}$/;
// Bedrock-only ids without a provider prefix: a provisioned model's id.
const PROVISIONED_ID = /^[a-z0-9]{12}$/;

/**
 * Model ids that cannot be valid: wrong characters, no `provider.` prefix, a Nova id without its
 * version suffix (`-v1:0`). Ids of models this
 * package does not know (newer Nova models, other providers) pass: the service decides those.
 */
export function checkModelId(modelId: string): void {
  const invalid = (advice: string) => {
    throw new InvalidRequestError(
      'MODEL_ID_INVALID',
      'model',
      'The provided model identifier is invalid.',
      `${JSON.stringify(modelId)}: ${advice}`,
    );
  };
  const novaHint = 'Nova ids look like us.amazon.nova-pro-v1:0 (a US cross-region inference profile) or amazon.nova-pro-v1:0.';
  if (!ID_CHARACTERS.test(modelId)) invalid(`a model id has only letters, digits and . _ : / -. ${novaHint}`);
  if (modelId.startsWith('arn:')) return;
  const base = baseModelId(modelId);
  if (!base.includes('.') && !PROVISIONED_ID.test(base))
    invalid(`a model id starts with its provider, e.g. amazon. or anthropic. ${novaHint}`);
  if (base.startsWith('amazon.nova') && !KNOWN_NOVA.includes(base) && !/-v\d+:\d+$/.test(base)) {
    const close = KNOWN_NOVA.find((known) => known.startsWith(base) || base.startsWith(known.slice(0, known.indexOf('-v'))));
    invalid(
      close
        ? `did you mean ${modelId.slice(0, modelId.length - base.length)}${close}?`
        : `Nova ids end with a version such as -v1:0. ${novaHint}`,
    );
  }
}
