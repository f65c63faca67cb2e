import { describe, expect, it } from 'vitest';
import { CostTotal, costInPicoUsd, formatUsd, picoUsdToUsd } from './money.js';
import { emptyUsage, type Usage } from './usage.js';

const NOVA_PRO = { inputPer1M: 0.8, outputPer1M: 3.2, cacheReadPer1M: 0.2 };
const usage = (inputTokens: number, outputTokens: number, more: Partial<Usage> = {}): Usage => ({
  ...emptyUsage(),
  inputTokens,
  outputTokens,
  ...more,
});

describe('money', () => {
  it('sums step costs exactly where float USD sums drift', () => {
    const steps = [usage(123, 45), usage(678, 9)];
    const floatSum = steps.reduce((sum, step) => sum + (step.inputTokens * 0.8 + step.outputTokens * 3.2) / 1e6, 0);
    expect(String(floatSum)).toBe('0.0008135999999999999'); // what adding floats per step printed
    const total = new CostTotal(true);
    for (const step of steps) total.add(step, NOVA_PRO);
    expect(total.usd).toBe(0.0008136);
    expect(String(total.usd)).toBe('0.0008136');
  });

  it('prices every kind of token, cache reads and writes defaulting to the input price', () => {
    expect(costInPicoUsd(usage(1, 1, { cacheReadInputTokens: 1, cacheWriteInputTokens: 1 }), NOVA_PRO)).toBe(
      800_000n + 3_200_000n + 200_000n + 800_000n,
    );
    expect(costInPicoUsd(usage(0, 0, { cacheReadInputTokens: 4 }), { inputPer1M: 0.035, outputPer1M: 0.14 })).toBe(140_000n);
    expect(picoUsdToUsd(costInPicoUsd(usage(1_000_000, 0), { inputPer1M: 0.00875, outputPer1M: 0 }))).toBe(0.00875);
  });

  it('a part without a price makes the total unknown, never cheaper', () => {
    const total = new CostTotal(true);
    total.add(usage(10, 10), NOVA_PRO);
    total.add(usage(10, 10), undefined);
    expect(total.usd).toBeUndefined();
    expect(new CostTotal(false).usd).toBeUndefined();
  });

  it('rounds only for display', () => {
    expect(formatUsd(0.00029120000000000003)).toBe('$0.0002912');
    expect(formatUsd(1.23456, 3)).toBe('$1.23');
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(undefined)).toMatch(/unknown/);
  });
});
