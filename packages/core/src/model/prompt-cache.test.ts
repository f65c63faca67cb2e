import { describe, expect, it } from 'vitest';
import { modelInfo } from './model-catalog.js';
import { fixedCheckpoints, systemWithCachePoint, tailCheckpoints } from './prompt-cache.js';

const long = [{ text: 'x'.repeat(4_000) }];
const nova = modelInfo('us.amazon.nova-lite-v1:0');
const other = modelInfo('anthropic.claude-3-haiku-20240307-v1:0');

describe('cachePoint placement', () => {
  it('adds a system checkpoint only in auto mode, on a caching model, at or above the minimum', () => {
    expect(systemWithCachePoint('auto', long, [], nova)).toEqual([...long, { cachePoint: { type: 'default' } }]);
    expect(systemWithCachePoint('off', long, [], nova)).toBe(long);
    expect(systemWithCachePoint('auto', long, [], other)).toBe(long);
    const short = [{ text: 'x'.repeat(3_000) }];
    expect(systemWithCachePoint('auto', short, [], nova)).toBe(short);
    // Tool specs come before the system prompt, so they count towards the prefix.
    const tool = { toolSpec: { name: 't', description: 'd'.repeat(1_200), inputSchema: { json: { type: 'object' } } } };
    expect(systemWithCachePoint('auto', short, [tool], nova)).toHaveLength(2);
    expect(systemWithCachePoint('auto', undefined, [tool], nova)).toBeUndefined();
  });

  it('never doubles a checkpoint the caller placed, nor exceeds the limit', () => {
    const cp = { cachePoint: { type: 'default' as const } };
    const ended = [...long, cp];
    expect(systemWithCachePoint('auto', ended, [], nova)).toBe(ended);
    const three = [{ text: 'a' }, cp, { text: 'b' }, cp, { text: 'c' }, cp, ...long];
    expect(systemWithCachePoint('auto', three, [], nova)).toBe(three);
    const two = [{ text: 'a' }, cp, { text: 'b' }, cp, ...long];
    expect(systemWithCachePoint('auto', two, [], nova)).toHaveLength(6);
    expect(fixedCheckpoints(three, [{ text: 'q' }, cp])).toBe(4);
  });

  it('moves a checkpoint from the second step, when the previous prompt reached the minimum', () => {
    expect(tailCheckpoints('auto', nova, { index: 0, previousPromptTokens: 5_000, fixedCheckpoints: 1 })).toBe(0);
    expect(tailCheckpoints('auto', nova, { index: 1, previousPromptTokens: 5_000, fixedCheckpoints: 1 })).toBe(2);
    expect(tailCheckpoints('auto', nova, { index: 1, previousPromptTokens: 999, fixedCheckpoints: 1 })).toBe(0);
    expect(tailCheckpoints('auto', nova, { index: 1, previousPromptTokens: 5_000, fixedCheckpoints: 3 })).toBe(1);
    expect(tailCheckpoints('auto', nova, { index: 1, previousPromptTokens: 5_000, fixedCheckpoints: 4 })).toBe(0);
    expect(tailCheckpoints('off', nova, { index: 1, previousPromptTokens: 5_000, fixedCheckpoints: 0 })).toBe(0);
    expect(tailCheckpoints('auto', other, { index: 1, previousPromptTokens: 5_000, fixedCheckpoints: 0 })).toBe(0);
  });
});
