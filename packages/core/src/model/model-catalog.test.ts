import { describe, expect, it } from 'vitest';
import { baseModelId, modelInfo } from './model-catalog.js';
import { costOf, emptyUsage } from './usage.js';

describe('model catalog and cost', () => {
  it('resolves bare ids, inference-profile ids and ARNs to the base model', () => {
    for (const id of [
      'amazon.nova-pro-v1:0',
      'us.amazon.nova-pro-v1:0',
      'eu.amazon.nova-pro-v1:0',
      'apac.amazon.nova-pro-v1:0',
      'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0',
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0',
    ]) {
      expect(baseModelId(id), id).toBe('amazon.nova-pro-v1:0');
    }
  });

  it('prices Nova Micro, Lite, Pro and Premier in USD per 1M tokens', () => {
    const million = { ...emptyUsage(), inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(costOf(million, modelInfo('us.amazon.nova-micro-v1:0').price)).toBeCloseTo(0.035 + 0.14, 10);
    expect(costOf(million, modelInfo('us.amazon.nova-lite-v1:0').price)).toBeCloseTo(0.06 + 0.24, 10);
    expect(costOf(million, modelInfo('us.amazon.nova-pro-v1:0').price)).toBeCloseTo(0.8 + 3.2, 10);
    expect(costOf(million, modelInfo('us.amazon.nova-premier-v1:0').price)).toBeCloseTo(2.5 + 12.5, 10);
  });

  it('bills cache reads at a quarter of the input price and cache writes at the input price', () => {
    const usage = { ...emptyUsage(), cacheReadInputTokens: 1_000_000, cacheWriteInputTokens: 1_000_000 };
    expect(costOf(usage, modelInfo('amazon.nova-pro-v1:0').price)).toBeCloseTo(0.2 + 0.8, 10);
  });

  it('an unknown model costs undefined, never 0', () => {
    const info = modelInfo('anthropic.claude-3-haiku-20240307-v1:0');
    expect(info).toMatchObject({ family: 'other', price: undefined, maxOutputTokens: undefined });
    expect(costOf({ ...emptyUsage(), inputTokens: 10 }, info.price)).toBeUndefined();
  });
});
