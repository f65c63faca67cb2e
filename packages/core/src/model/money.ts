import type { ModelPrice } from './model-catalog.js';
import type { Usage } from './usage.js';

// Money is summed exactly, as integer pico-USD (1e-12 USD), and turned into a float USD only when
// read: summing float USD per step gives 0.00029120000000000003 where the bill says 0.0002912.
// A price per 1M tokens times 1e6 is pico-USD per token, whole for any price with up to six
// decimals (list prices have at most five); a finer price is rounded to the pico-USD per token.

/** Pico-USD per token for a price in USD per 1M tokens. */
const perToken = (usdPer1M: number): bigint => BigInt(Math.round(usdPer1M * 1e6));

/** The exact cost of `usage` at `price`, in pico-USD. */
export function costInPicoUsd(usage: Usage, price: ModelPrice): bigint {
  return (
    BigInt(usage.inputTokens) * perToken(price.inputPer1M) +
    BigInt(usage.outputTokens) * perToken(price.outputPer1M) +
    BigInt(usage.cacheReadInputTokens) * perToken(price.cacheReadPer1M ?? price.inputPer1M) +
    BigInt(usage.cacheWriteInputTokens) * perToken(price.cacheWritePer1M ?? price.inputPer1M)
  );
}

/** USD as a number: one division of an exact integer, so it prints as the decimal it is. */
export const picoUsdToUsd = (pico: bigint): number => Number(pico) / 1e12;

/**
 * A run's cost, summed exactly. `usd` is undefined once any part had no known price, so an unpriced
 * call never makes a run look cheaper than it was.
 */
export class CostTotal {
  private pico = 0n;
  private known: boolean;

  constructor(priced: boolean) {
    this.known = priced;
  }

  add(usage: Usage, price: ModelPrice | undefined): void {
    if (!price) this.known = false;
    else this.pico += costInPicoUsd(usage, price);
  }

  get usd(): number | undefined {
    return this.known ? picoUsdToUsd(this.pico) : undefined;
  }
}

/** For display only: USD rounded to `digits` significant digits (default 4), e.g. "$0.0002912". */
export function formatUsd(usd: number | undefined, digits = 4): string {
  if (usd === undefined) return 'unknown (no price for this model)';
  if (usd === 0) return '$0';
  return `$${Number(usd.toPrecision(digits))}`;
}
