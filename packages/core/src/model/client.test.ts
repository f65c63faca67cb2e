import { afterEach, describe, expect, it } from 'vitest';
import { createBedrockClient } from './client.js';

describe('createBedrockClient', () => {
  const saved = process.env.AWS_BEARER_TOKEN_BEDROCK;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_BEARER_TOKEN_BEDROCK;
    else process.env.AWS_BEARER_TOKEN_BEDROCK = saved;
  });

  it('makes one attempt per call (the agent loop owns retries)', async () => {
    const client = createBedrockClient({ region: 'eu-west-1' });
    expect(await client.config.maxAttempts()).toBe(1);
    expect(await client.config.region()).toBe('eu-west-1');
    client.destroy();
  });

  it('signs with the credentials it is given even when a Bedrock API key is in the environment', async () => {
    process.env.AWS_BEARER_TOKEN_BEDROCK = 'a-real-api-key';
    const explicit = createBedrockClient({ credentials: Object.freeze({ accessKeyId: 'AKID', secretAccessKey: 'secret' }) });
    expect(await explicit.config.authSchemePreference()).toEqual(['sigv4']);
    expect(await explicit.config.credentials()).toMatchObject({ accessKeyId: 'AKID' });
    const fromEnvironment = createBedrockClient();
    expect(await fromEnvironment.config.authSchemePreference()).toEqual(['httpBearerAuth']);
    explicit.destroy();
    fromEnvironment.destroy();
  });
});
