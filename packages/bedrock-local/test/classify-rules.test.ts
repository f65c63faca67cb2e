import { ConverseCommand, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { LocalBedrockScriptError, startLocalBedrock, type Script } from '../src/index.js';
import { sdkClient, useLocalBedrock } from './helpers.js';

const start = useLocalBedrock();
const MICRO = 'us.amazon.nova-micro-v1:0';

const script: Script = {
  classify: [
    { tool: 'route', match: 'outage|architecture|migrat', label: 'complex' },
    { tool: 'route', label: 'simple' },
    { match: 'refund|invoice|charge', label: 'BILLING' },
    { match: 'parcel|delivery|tracking', label: 'SHIPPING' },
    { match: 'made up', label: 'NOT_A_LABEL' },
  ],
  scenarios: [{ match: '.*', turns: [{ content: [{ text: 'A scripted answer.' }] }] }],
};

const forced = (name: string, values: string[], text: string): ConverseCommandInput => ({
  modelId: MICRO,
  messages: [{ role: 'user', content: [{ text }] }],
  toolConfig: {
    tools: [
      {
        toolSpec: {
          name,
          description: 'Pick one',
          inputSchema: { json: { type: 'object', properties: { label: { type: 'string', enum: values } }, required: ['label'] } },
        },
      },
    ],
    toolChoice: { tool: { name } },
  },
});

describe('forced-tool classification rules', () => {
  it('answers the forced tool with the first fitting rule, by tool name and keywords', async () => {
    const server = await start({ script });
    const client = sdkClient(server);
    const labels = ['BILLING', 'TECHNICAL', 'SHIPPING', 'OTHER'];
    const answer = async (input: ConverseCommandInput) => {
      const output = await client.send(new ConverseCommand(input));
      expect(output.stopReason).toBe('tool_use');
      return output.output?.message?.content?.[0]?.toolUse;
    };
    const billing = await answer(forced('classify', labels, 'I was charged twice, I want a REFUND'));
    expect(billing?.name).toBe('classify');
    expect(billing?.input).toEqual({ label: 'BILLING' });
    expect(billing?.toolUseId).toMatch(/^tooluse_/);
    expect((await answer(forced('classify', labels, 'Where is my parcel?')))?.input).toEqual({ label: 'SHIPPING' });
    // No rule fits: the enum's first value.
    expect((await answer(forced('classify', labels, 'Hello there')))?.input).toEqual({ label: 'BILLING' });
    // Rules for another tool are skipped; a label outside the enum is answered as written.
    expect((await answer(forced('route', ['simple', 'complex'], 'We had an outage')))?.input).toEqual({ label: 'complex' });
    expect((await answer(forced('route', ['simple', 'complex'], 'What are your hours?')))?.input).toEqual({ label: 'simple' });
    expect((await answer(forced('classify', labels, 'a made up thing')))?.input).toEqual({ label: 'NOT_A_LABEL' });
    client.destroy();
  });

  it('leaves requests without a forced enum tool to the scenarios, or to the default reply', async () => {
    const server = await start({ script });
    const client = sdkClient(server);
    const plain = await client.send(new ConverseCommand({ modelId: MICRO, messages: [{ role: 'user', content: [{ text: 'refund' }] }] }));
    expect(plain.output?.message?.content?.[0]?.text).toBe('A scripted answer.');
    const only = await start({ script: { classify: [{ label: 'x' }] } });
    const other = sdkClient(only);
    const reply = await other.send(new ConverseCommand({ modelId: MICRO, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
    expect(reply.output?.message?.content?.[0]?.text).toContain('Hello from bedrock-local');
    client.destroy();
    other.destroy();
  });

  it('answers a forced tool nothing scripted answers with placeholder input from its schema', async () => {
    const server = await start();
    const client = sdkClient(server);
    const output = await client.send(
      new ConverseCommand({
        modelId: MICRO,
        messages: [{ role: 'user', content: [{ text: 'Order 1182, 42.50 EUR' }] }],
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: 'extract',
                inputSchema: {
                  json: {
                    type: 'object',
                    properties: {
                      orderId: { type: 'string' },
                      amount: { type: 'number' },
                      currency: { type: 'string', enum: ['EUR', 'USD'] },
                      lines: { type: 'array', items: { type: 'string' } },
                      note: { type: 'string' },
                    },
                    required: ['orderId', 'amount', 'currency', 'lines'],
                  },
                },
              },
            },
          ],
          toolChoice: { tool: { name: 'extract' } },
        },
      }),
    );
    expect(output.stopReason).toBe('tool_use');
    expect(output.output?.message?.content?.[0]?.toolUse).toMatchObject({
      name: 'extract',
      input: { orderId: 'example', amount: 1, currency: 'EUR', lines: [] },
    });
    // Without a forced tool: the usual text reply.
    const plain = await client.send(new ConverseCommand({ modelId: MICRO, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
    expect(plain.output?.message?.content?.[0]?.text).toContain('Hello from bedrock-local');
    client.destroy();
  });

  it('rejects a broken rule at startup', async () => {
    await expect(startLocalBedrock({ script: { classify: [{ match: '(', label: 'A' }] } })).rejects.toThrow(LocalBedrockScriptError);
    await expect(startLocalBedrock({ script: { classify: [{ match: 'a' } as never] } })).rejects.toThrow(/needs a non-empty "label"/);
    await expect(startLocalBedrock({ script: { classify: 'nope' as never } })).rejects.toThrow(/must be an array/);
  });
});
