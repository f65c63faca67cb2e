import { describe, expect, it } from 'vitest';
import { resolveModel } from './models.js';

describe('resolveModel', () => {
  it.each([
    ['amazon.nova-micro-v1:0', 'amazon.nova-micro-v1:0', 128_000],
    ['apac.amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0', 300_000],
    ['eu.amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0', 300_000],
    ['us.amazon.nova-premier-v1:0', 'amazon.nova-premier-v1:0', 1_000_000],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0', 300_000],
    ['arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-micro-v1:0', 'amazon.nova-micro-v1:0', 128_000],
  ])('resolves %s', (id, foundationModelId, contextWindow) => {
    expect(resolveModel(id)).toMatchObject({ foundationModelId, contextWindow });
  });

  it.each([
    'amazon.nova-pro-v1',
    'anthropic.claude-3-haiku-20240307-v1:0',
    'xx.amazon.nova-pro-v1:0',
    'eu.amazon.nova-premier-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:inference-profile/amazon.nova-pro-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:foundation-model/amazon.nova-pro-v1:0',
    '',
  ])('rejects %s as an invalid model identifier', (id) => {
    expect(() => resolveModel(id)).toThrow('The provided model identifier is invalid.');
  });

  it('requires an inference profile for Nova Premier', () => {
    expect(() => resolveModel('amazon.nova-premier-v1:0')).toThrow(/on-demand throughput isn't supported/);
  });
});
