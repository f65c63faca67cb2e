import type { ModelPrice } from './model-catalog.js';
import { costInPicoUsd, picoUsdToUsd } from './money.js';

/** Tokens of one model call, or summed over a run. Cache fields are 0 when caching was not used. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

export const emptyUsage = (): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  totalTokens: 0,
  cacheReadInputTokens: 0,
  cacheWriteInputTokens: 0,
});

/** Reads the Converse `usage` object, whose cache fields are absent unless caching was used. */
export function toUsage(raw: Partial<Record<keyof Usage, number>> | undefined): Usage {
  return {
    inputTokens: raw?.inputTokens ?? 0,
    outputTokens: raw?.outputTokens ?? 0,
    totalTokens: raw?.totalTokens ?? 0,
    cacheReadInputTokens: raw?.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: raw?.cacheWriteInputTokens ?? 0,
  };
}

export function addUsage(into: Usage, add: Usage): void {
  into.inputTokens += add.inputTokens;
  into.outputTokens += add.outputTokens;
  into.totalTokens += add.totalTokens;
  into.cacheReadInputTokens += add.cacheReadInputTokens;
  into.cacheWriteInputTokens += add.cacheWriteInputTokens;
}

/** USD for `usage` at `price`; `undefined` when the price is unknown, so an unpriced model never reads as free. */
export function costOf(usage: Usage, price: ModelPrice | undefined): number | undefined {
  return price ? picoUsdToUsd(costInPicoUsd(usage, price)) : undefined;
}
