import { ConverseCommand, ConverseStreamCommand, type Message, type SystemContentBlock, type Tool } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { countTextTokens } from '../src/index.js';
import { NOVA_PRO, sdkClient, useLocalBedrock, weatherTool } from './helpers.js';

const start = useLocalBedrock();

// 1,200 tokens under bedrock-local's ceil(chars / 4) count: above Nova's 1,000-token checkpoint minimum.
const longSystem = 'You are the on-call assistant for the payments platform. '.repeat(84).slice(0, 4_800);
const toolTokens = countTextTokens(JSON.stringify(weatherTool.toolSpec));
const systemTokens = countTextTokens(longSystem);

function cachedRequest(system: SystemContentBlock[], messages: Message[], tools: Tool[] = [weatherTool]) {
  return new ConverseCommand({ modelId: NOVA_PRO, system, messages, toolConfig: { tools } });
}

const ask = (text: string): Message[] => [{ role: 'user', content: [{ text }] }];

describe('Nova prompt caching', () => {
  it('writes the tools+system prefix on first sight, reads it on later requests, and writes again after 5 minutes', async () => {
    let now = 1_000_000;
    const server = await start({ clock: () => now });
    const client = sdkClient(server);
    const system: SystemContentBlock[] = [{ text: longSystem }, { cachePoint: { type: 'default' } }];
    const prefix = toolTokens + systemTokens;

    const first = await client.send(cachedRequest(system, ask('first question')));
    expect(first.usage?.cacheWriteInputTokens).toBe(prefix);
    expect(first.usage?.cacheReadInputTokens).toBe(0);
    const uncached = first.usage!.inputTokens!;
    expect(uncached).toBe(3 + countTextTokens('first question'));
    expect(first.usage?.totalTokens).toBe(uncached + first.usage!.outputTokens! + prefix);

    now += 4 * 60_000;
    const second = await client.send(cachedRequest(system, ask('second question, a bit longer')));
    expect(second.usage?.cacheReadInputTokens).toBe(prefix);
    expect(second.usage?.cacheWriteInputTokens).toBe(0);

    // The hit at minute 4 refreshed the TTL: minute 8 still reads.
    now += 4 * 60_000;
    const third = await client.send(cachedRequest(system, ask('third')));
    expect(third.usage?.cacheReadInputTokens).toBe(prefix);

    now += 5 * 60_000 + 1;
    const expired = await client.send(cachedRequest(system, ask('fourth')));
    expect(expired.usage?.cacheReadInputTokens).toBe(0);
    expect(expired.usage?.cacheWriteInputTokens).toBe(prefix);
  });

  it('keeps a 1-hour checkpoint when the cachePoint asks for ttl "1h"', async () => {
    let now = 0;
    const server = await start({ clock: () => now });
    const client = sdkClient(server);
    const system = [{ text: longSystem }, { cachePoint: { type: 'default', ttl: '1h' } }] as SystemContentBlock[];
    await client.send(cachedRequest(system, ask('q1')));
    now += 30 * 60_000;
    const later = await client.send(cachedRequest(system, ask('q2')));
    expect(later.usage?.cacheReadInputTokens).toBe(toolTokens + systemTokens);
  });

  it('misses when the cached prefix changes, and caches per model', async () => {
    const server = await start();
    const client = sdkClient(server);
    const system: SystemContentBlock[] = [{ text: longSystem }, { cachePoint: { type: 'default' } }];
    await client.send(cachedRequest(system, ask('q')));
    const changed = await client.send(cachedRequest([{ text: `${longSystem} Changed.` }, { cachePoint: { type: 'default' } }], ask('q')));
    expect(changed.usage?.cacheReadInputTokens).toBe(0);
    expect(changed.usage?.cacheWriteInputTokens).toBeGreaterThan(0);
    const otherModel = await client.send(
      new ConverseCommand({ modelId: 'us.amazon.nova-lite-v1:0', system, messages: ask('q'), toolConfig: { tools: [weatherTool] } }),
    );
    expect(otherModel.usage?.cacheReadInputTokens).toBe(0);
  });

  it('does not create a checkpoint under 1,000 tokens, and ignores cachePoints in tools for Nova', async () => {
    const server = await start();
    const client = sdkClient(server);
    const short = await client.send(cachedRequest([{ text: 'Short system prompt.' }, { cachePoint: { type: 'default' } }], ask('q')));
    expect(short.usage?.cacheWriteInputTokens).toBe(0);
    expect(short.usage?.cacheReadInputTokens).toBe(0);

    const bigTool: Tool = {
      toolSpec: { ...weatherTool.toolSpec, description: longSystem },
    };
    const toolsOnly = await client.send(cachedRequest([{ text: 'Hi.' }], ask('q'), [bigTool, { cachePoint: { type: 'default' } }]));
    expect(toolsOnly.usage?.cacheWriteInputTokens).toBe(0);
    const again = await client.send(cachedRequest([{ text: 'Hi.' }], ask('q'), [bigTool, { cachePoint: { type: 'default' } }]));
    expect(again.usage?.cacheReadInputTokens).toBe(0);
  });

  it('reads the longest cached prefix and writes only the new part up to the last checkpoint', async () => {
    const server = await start();
    const client = sdkClient(server);
    const system: SystemContentBlock[] = [{ text: longSystem }, { cachePoint: { type: 'default' } }];
    const turn1: Message[] = [
      { role: 'user', content: [{ text: 'A long first question. '.repeat(20) }, { cachePoint: { type: 'default' } }] },
    ];
    const first = await client.send(cachedRequest(system, turn1));
    const systemPrefix = toolTokens + systemTokens;
    const messagePrefix = systemPrefix + 3 + countTextTokens('A long first question. '.repeat(20));
    expect(first.usage?.cacheWriteInputTokens).toBe(messagePrefix);

    const turn2: Message[] = [
      ...turn1,
      { role: 'assistant', content: [{ text: 'An answer.' }] },
      { role: 'user', content: [{ text: 'A follow-up.' }, { cachePoint: { type: 'default' } }] },
    ];
    const second = await client.send(cachedRequest(system, turn2));
    const fullPrefix = messagePrefix + 3 + countTextTokens('An answer.') + 3 + countTextTokens('A follow-up.');
    expect(second.usage?.cacheReadInputTokens).toBe(messagePrefix);
    expect(second.usage?.cacheWriteInputTokens).toBe(fullPrefix - messagePrefix);
    expect(second.usage?.inputTokens).toBe(0);
  });

  it('reports cache usage in the stream metadata as well', async () => {
    const server = await start();
    const client = sdkClient(server);
    const system: SystemContentBlock[] = [{ text: longSystem }, { cachePoint: { type: 'default' } }];
    await client.send(cachedRequest(system, ask('warm up')));
    const response = await client.send(
      new ConverseStreamCommand({ modelId: NOVA_PRO, system, messages: ask('streamed'), toolConfig: { tools: [weatherTool] } }),
    );
    let usage;
    for await (const event of response.stream!) if (event.metadata) usage = event.metadata.usage;
    expect(usage?.cacheReadInputTokens).toBe(toolTokens + systemTokens);
  });

  it('leaves cache fields out of usage when the request has no cachePoint', async () => {
    const server = await start();
    const response = await sdkClient(server).send(cachedRequest([{ text: longSystem }], ask('q')));
    expect(response.usage?.cacheReadInputTokens).toBeUndefined();
    expect(response.usage?.cacheWriteInputTokens).toBeUndefined();
    expect(response.usage?.inputTokens).toBe(toolTokens + systemTokens + 3 + countTextTokens('q'));
  });
});
