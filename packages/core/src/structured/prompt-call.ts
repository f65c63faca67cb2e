import { checkPrompt } from '../model/preflight.js';
import { resolveInference, type InferenceOptions } from '../model/inference.js';
import { ThinkingFilter } from '../model/thinking.js';
import { prepareCall, type StructuredCallOptions } from './call-options.js';
import type { SingleCall } from './forced-tool.js';

export interface PromptCallOptions extends StructuredCallOptions {
  /** Sampling settings (unset: the model's defaults); `maxTokens` here wins over the option of that name. */
  inference?: InferenceOptions;
}

/**
 * One single-turn prompt without tools: `text` as the user message, `instructions` as the system
 * prompt. The answer is its text, `<thinking>` sections removed, trimmed.
 */
export function preparePrompt(text: string, options: PromptCallOptions = {}): SingleCall<string> {
  checkPrompt(text);
  const prepared = prepareCall(options, undefined, options.inference?.maxTokens ?? options.maxTokens ?? 1_000);
  const inference = resolveInference({ ...options.inference, maxTokens: prepared.maxTokens }, prepared.model, false, false);
  return {
    retry: prepared.retry,
    request: {
      purpose: 'prompt',
      modelId: prepared.modelId,
      model: prepared.model,
      price: prepared.price,
      messages: [{ role: 'user', content: [{ text }] }],
      base: prepared.system ? { system: prepared.system } : {},
      inference,
      toolUseRepairs: 0,
    },
    parse: async (message) => {
      const filter = new ThinkingFilter();
      let said = '';
      for (const block of message.content ?? []) if (block.text !== undefined) said += filter.push(block.text);
      return (said + filter.flush()).trim();
    },
  };
}
