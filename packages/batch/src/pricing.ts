import type { ModelPrice } from '@novaloop/core';

/** Bedrock batch inference is billed at half the on-demand price. */
export function batchPrice(price: ModelPrice | undefined): ModelPrice | undefined {
  if (!price) return undefined;
  const half = (usd: number | undefined) => (usd === undefined ? undefined : usd / 2);
  return {
    inputPer1M: price.inputPer1M / 2,
    outputPer1M: price.outputPer1M / 2,
    ...(price.cacheReadPer1M !== undefined ? { cacheReadPer1M: half(price.cacheReadPer1M) } : {}),
    ...(price.cacheWritePer1M !== undefined ? { cacheWritePer1M: half(price.cacheWritePer1M) } : {}),
  };
}

/** Sums costs; `undefined` once any is unknown. */
export function addCost(total: number | undefined, add: number | undefined): number | undefined {
  return total === undefined || add === undefined ? undefined : total + add;
}
