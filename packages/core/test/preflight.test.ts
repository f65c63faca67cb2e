// Requests Bedrock would reject are refused before sending, with the service's own text: each case
// is also sent raw to bedrock-local (which answers as the service does) to show the texts agree.
import { BedrockRuntimeClient, ConverseCommand, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { Agent, InvalidRequestError } from '../src/index.js';
import { LOCAL_CREDENTIALS, NOVA_PRO, useBedrock } from './helpers.js';

const { start, agentOn } = useBedrock();

/** What the service (bedrock-local) answers to this request. */
async function serviceSays(endpoint: string, input: Partial<ConverseCommandInput>): Promise<string> {
  const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint, credentials: { ...LOCAL_CREDENTIALS }, maxAttempts: 1 });
  try {
    await client.send(new ConverseCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text: 'hi' }] }], ...input }));
    throw new Error('bedrock-local accepted the request');
  } catch (error) {
    return (error as Error).message;
  } finally {
    client.destroy();
  }
}

const failed = (promise: Promise<unknown>): Promise<InvalidRequestError> =>
  promise.then(
    () => {
      throw new Error('the run should have been refused');
    },
    (error: unknown) => error as InvalidRequestError,
  );

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as InvalidRequestError;
  }
  throw new Error('no error');
};

describe('checked before sending', () => {
  it('an empty or blank prompt', async () => {
    const server = await start();
    const agent = agentOn(server);
    for (const prompt of ['', '   \n']) {
      const error = await failed(agent.run(prompt));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error).toMatchObject({ code: 'PROMPT_EMPTY', field: 'prompt' });
      expect(error.message).toMatch(/nothing was sent\) Pass the question/);
    }
    const blocks = await failed(agent.run([{ text: 'look' }, { text: ' ' }]));
    expect(blocks).toMatchObject({ code: 'PROMPT_EMPTY', field: 'prompt[1]' });
    const none = await failed(agent.run([]));
    expect(none.message).toContain(await serviceSays(server.endpoint, { messages: [{ role: 'user', content: [] }] }));
    // stream() refuses the same way, on its first step.
    await expect(agent.stream('').next()).rejects.toMatchObject({ code: 'PROMPT_EMPTY' });

    const service = await serviceSays(server.endpoint, { messages: [{ role: 'user', content: [{ text: ' ' }] }] });
    const error = await failed(agent.run(' '));
    expect(error.message.startsWith(service)).toBe(true);
    expect(server.requests.filter((request) => request.status === 200)).toHaveLength(0);
    expect(server.requests).toHaveLength(2); // only the raw ones of this test
  });

  it('temperature and topP outside [0, 1], and a maxTokens below 1', async () => {
    const server = await start();
    for (const [inference, field, raw] of [
      [{ temperature: 1.5 }, 'inference.temperature', { temperature: 1.5 }],
      [{ temperature: -0.1 }, 'inference.temperature', { temperature: -0.1 }],
      [{ topP: 2 }, 'inference.topP', { topP: 2 }],
      [{ maxTokens: 0 }, 'inference.maxTokens', { maxTokens: 0 }],
    ] as const) {
      const error = refused(() => new Agent({ model: NOVA_PRO, inference }));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error).toMatchObject({ code: 'INFERENCE_OUT_OF_RANGE', field });
      const service = await serviceSays(server.endpoint, { inferenceConfig: raw });
      expect(error.message.startsWith(service.replace(/\.?$/, ''))).toBe(true);
    }
    expect(() => new Agent({ model: NOVA_PRO, inference: { temperature: 0, topP: 1, maxTokens: 1 } })).not.toThrow();
  });

  it('a model id that cannot exist, with a suggestion where one is close', async () => {
    const server = await start();
    const service = await serviceSays(server.endpoint, { modelId: 'us.amazon.nova-pro-v1' });
    for (const [model, hint] of [
      ['us.amazon.nova-pro-v1', /did you mean us\.amazon\.nova-pro-v1:0\?/],
      ['amazon.nova-lite', /did you mean amazon\.nova-lite-v1:0\?/],
      ['nova-pro-v1:0', /starts with its provider/],
      ['us.amazon.nova pro', /only letters, digits/],
      ['amazon.nova-2-lite', /end with a version/],
    ] as const) {
      const error = refused(() => new Agent({ model }));
      expect(error).toMatchObject({ code: 'MODEL_ID_INVALID', field: 'model' });
      expect(error.message.startsWith(service)).toBe(true);
      expect(error.message).toMatch(hint);
    }
    // Ids this package does not know are the service's to judge: newer Nova models, other providers, ARNs.
    for (const model of [
      'us.amazon.nova-2-lite-v1:0',
      'anthropic.claude-3-haiku-20240307-v1:0',
      'amazon.titan-text-express-v1',
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0',
    ]) {
      expect(() => new Agent({ model }).close()).not.toThrow();
    }
  });
});
