import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { estimateTokens, memoised, tokensFrom } from './estimate-tokens.js';
import { isCutPoint, type ContextPolicy } from './policy.js';
import { positive } from './positive.js';

export interface SlidingWindowOptions {
  /** Input budget of every call: system, tools and messages together, in estimated tokens. */
  maxInputTokens: number;
  /** Tokens of one message; `estimateTokens` by default. */
  countTokens?: (message: Message) => number;
}

/**
 * Sends the newest messages that fit `maxInputTokens`, starting at a cut point. When not even the
 * current run's own messages fit, it sends them from the run's prompt anyway (there is no valid
 * shorter cut); a model that refuses them ends the run with `ContextWindowExceededError`.
 * Each call costs O(messages kept): token counts are memoised per message and the walk starts
 * from the newest message.
 */
export function slidingWindow(options: SlidingWindowOptions): ContextPolicy {
  positive('slidingWindow maxInputTokens', options.maxInputTokens);
  const count = memoised(options.countTokens ?? estimateTokens);
  return {
    select(request) {
      let budget = options.maxInputTokens - request.fixedTokens;
      if (request.reason === 'overflow' && request.previous) {
        // The estimate was too low for this model: aim at half of what was refused.
        budget = Math.min(budget, Math.floor(tokensFrom(request.messages, request.previous.start, count) / 2));
      }
      return { start: windowStart(request.messages, budget, count) };
    },
  };
}

/** The earliest cut point from which the rest fits `budget`, or else the newest cut point. */
function windowStart(messages: readonly Message[], budget: number, count: (message: Message) => number): number {
  let fits = messages.length;
  let total = 0;
  while (fits > 0) {
    const tokens = count(messages[fits - 1] as Message);
    if (total + tokens > budget) break;
    total += tokens;
    fits--;
  }
  for (let i = fits; i < messages.length; i++) if (isCutPoint(messages, i)) return i;
  return newestCutPoint(messages, messages.length - 1, -1) ?? 0;
}

export function newestCutPoint(messages: readonly Message[], from: number, above: number): number | undefined {
  for (let i = from; i > above; i--) if (isCutPoint(messages, i)) return i;
  return undefined;
}
