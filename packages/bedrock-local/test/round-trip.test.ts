import {
  ConverseCommand,
  ConverseStreamCommand,
  ValidationException,
  type ContentBlock,
  type ConverseStreamOutput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import { describe, expect, it } from 'vitest';
import { BedrockServiceError, type Script } from '../src/index.js';
import { NOVA_PRO, postConverse, sdkClient, useLocalBedrock, weatherTool } from './helpers.js';

const start = useLocalBedrock();
const toolConfig = { tools: [weatherTool] };

const weatherScript: Script = {
  turns: [
    {
      content: [
        { text: '<thinking>The user wants the weather in Paris, so I will call get_weather.</thinking>' },
        { toolUse: { toolUseId: 'auto', name: 'get_weather', input: { city: 'Paris' } } },
      ],
    },
    { content: [{ text: 'It is sunny in Paris, 21 degrees, with a light breeze from the west.' }] },
  ],
};

async function collect(stream: AsyncIterable<ConverseStreamOutput>) {
  const events: ConverseStreamOutput[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** Rebuilds the assistant message from stream events, as a streaming client must. */
function assemble(events: ConverseStreamOutput[]) {
  const blocks: Array<{ text?: string; toolUse?: { toolUseId: string; name: string; json: string } }> = [];
  for (const event of events) {
    if (event.contentBlockStart?.start?.toolUse) {
      const { toolUseId = '', name = '' } = event.contentBlockStart.start.toolUse;
      blocks[event.contentBlockStart.contentBlockIndex ?? 0] = { toolUse: { toolUseId, name, json: '' } };
    }
    const delta = event.contentBlockDelta;
    if (delta?.delta?.text !== undefined) {
      const block = (blocks[delta.contentBlockIndex ?? 0] ??= { text: '' });
      block.text = (block.text ?? '') + delta.delta.text;
    }
    if (delta?.delta?.toolUse) {
      const block = blocks[delta.contentBlockIndex ?? 0];
      if (block?.toolUse) block.toolUse.json += delta.delta.toolUse.input ?? '';
    }
  }
  return blocks;
}

describe('Converse with the real AWS SDK (default HTTP/2 handler)', () => {
  it('answers a plain request with a deterministic text reply when no script is given', async () => {
    const server = await start();
    const client = sdkClient(server);
    const response = await client.send(
      new ConverseCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text: 'Hello, Nova' }] }] }),
    );
    expect(response.stopReason).toBe('end_turn');
    expect(response.output?.message?.role).toBe('assistant');
    expect(response.output?.message?.content?.[0]?.text).toBe('Hello from bedrock-local (turn 1). You said: "Hello, Nova"');
    expect(response.usage).toEqual({ inputTokens: 6, outputTokens: 15, totalTokens: 21 });
    expect(response.metrics?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(response.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ seq: 1, route: 'converse', modelId: NOVA_PRO, protocol: 'h2', status: 200 });
    expect(server.requests[0]?.usage).toEqual(response.usage);
  });

  it('runs a scripted tool-use conversation: toolUse with a Bedrock-style id, then the final answer', async () => {
    const server = await start({ script: weatherScript });
    const client = sdkClient(server);
    const messages: Message[] = [{ role: 'user', content: [{ text: 'Weather in Paris?' }] }];

    const first = await client.send(new ConverseCommand({ modelId: NOVA_PRO, messages, toolConfig }));
    expect(first.stopReason).toBe('tool_use');
    const content = first.output?.message?.content ?? [];
    expect(content[0]?.text).toContain('<thinking>');
    const toolUse = content[1]?.toolUse;
    expect(toolUse?.name).toBe('get_weather');
    expect(toolUse?.input).toEqual({ city: 'Paris' });
    expect(toolUse?.toolUseId).toMatch(/^tooluse_[A-Za-z0-9_-]{22}$/);

    messages.push(first.output!.message!);
    messages.push({
      role: 'user',
      content: [{ toolResult: { toolUseId: toolUse!.toolUseId!, content: [{ json: { tempC: 21, sky: 'sunny' } }] } }],
    });
    const second = await client.send(new ConverseCommand({ modelId: NOVA_PRO, messages, toolConfig }));
    expect(second.stopReason).toBe('end_turn');
    expect(second.output?.message?.content?.[0]?.text).toMatch(/^It is sunny in Paris/);
    // The second request carried the whole history, so it costs more input tokens than the first.
    expect(second.usage!.inputTokens!).toBeGreaterThan(first.usage!.inputTokens!);
    expect(server.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it('gives every "auto" toolUseId a fresh id', async () => {
    const server = await start({ script: weatherScript });
    const client = sdkClient(server);
    const ask = () =>
      client.send(new ConverseCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text: 'Paris?' }] }], toolConfig }));
    const [a, b] = await Promise.all([ask(), ask()]);
    expect(a.output?.message?.content?.[1]?.toolUse?.toolUseId).not.toBe(b.output?.message?.content?.[1]?.toolUse?.toolUseId);
  });
});

describe('ConverseStream with the real AWS SDK', () => {
  it('streams text in several deltas, the first one empty, then messageStop and metadata', async () => {
    const longText = 'It is sunny in Paris today, twenty one degrees, with a light breeze from the west.';
    const server = await start({ script: { turns: [{ content: [{ text: longText }] }] } });
    const response = await sdkClient(server).send(
      new ConverseStreamCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text: 'Weather?' }] }] }),
    );
    const events = await collect(response.stream!);
    expect(events[0]?.messageStart?.role).toBe('assistant');
    const deltas = events.filter((e) => e.contentBlockDelta).map((e) => e.contentBlockDelta!.delta!.text);
    expect(deltas[0]).toBe('');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(longText);
    expect(events.at(-2)?.messageStop?.stopReason).toBe('end_turn');
    const metadata = events.at(-1)?.metadata;
    expect(metadata?.usage?.outputTokens).toBe(Math.ceil(longText.length / 4));
    expect(metadata?.metrics?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(server.requests[0]).toMatchObject({ route: 'converse-stream', status: 200, stopReason: 'end_turn' });
  });

  it('streams a toolUse as contentBlockStart, partial-JSON input deltas and contentBlockStop', async () => {
    const input = { city: 'Paris', units: 'metric', details: ['wind', 'humidity', 'pressure'] };
    const server = await start({
      script: {
        turns: [
          {
            content: [
              { text: '<thinking>Calling the weather tool.</thinking>' },
              { toolUse: { toolUseId: 'auto', name: 'get_weather', input } },
            ],
          },
        ],
      },
    });
    const response = await sdkClient(server).send(
      new ConverseStreamCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text: 'Paris?' }] }], toolConfig }),
    );
    const events = await collect(response.stream!);
    const blockStart = events.find((e) => e.contentBlockStart)?.contentBlockStart;
    expect(blockStart?.contentBlockIndex).toBe(1);
    expect(blockStart?.start?.toolUse?.name).toBe('get_weather');
    const inputDeltas = events.filter((e) => e.contentBlockDelta?.delta?.toolUse);
    expect(inputDeltas.length).toBeGreaterThan(1); // split mid-JSON, so a client must buffer
    const blocks = assemble(events);
    expect(JSON.parse(blocks[1]!.toolUse!.json)).toEqual(input);
    expect(blocks[1]!.toolUse!.toolUseId).toMatch(/^tooluse_[A-Za-z0-9_-]{22}$/);
    expect(events.filter((e) => e.contentBlockStop).map((e) => e.contentBlockStop!.contentBlockIndex)).toEqual([0, 1]);
    expect(events.find((e) => e.messageStop)?.messageStop?.stopReason).toBe('tool_use');
  });

  it('reports usage identically on both routes for the same conversation', async () => {
    const server = await start({ script: weatherScript });
    const client = sdkClient(server);
    const request = { modelId: NOVA_PRO, messages: [{ role: 'user' as const, content: [{ text: 'Paris?' }] }], toolConfig };
    const plain = await client.send(new ConverseCommand(request));
    const streamed = await collect((await client.send(new ConverseStreamCommand(request))).stream!);
    expect(streamed.at(-1)?.metadata?.usage).toEqual(plain.usage);
  });
});

describe('wire format, read without the SDK', () => {
  it('frames stream events with valid CRCs, event headers and the random "p" padding field', async () => {
    const server = await start({ script: weatherScript });
    const response = await postConverse(
      server,
      { messages: [{ role: 'user', content: [{ text: 'Paris?' }] }], toolConfig },
      { stream: true },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const bytes = new Uint8Array(await response.arrayBuffer());
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const types: string[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      const length = new DataView(bytes.buffer, bytes.byteOffset + offset).getUint32(0);
      const message = codec.decode(bytes.subarray(offset, offset + length)); // throws on a bad CRC
      offset += length;
      expect(message.headers[':message-type']?.value).toBe('event');
      expect(message.headers[':content-type']?.value).toBe('application/json');
      types.push(String(message.headers[':event-type']?.value));
      const payload = JSON.parse(toUtf8(message.body)) as { p?: unknown };
      expect(payload.p).toMatch(/^[a-zA-Z0-9]+$/);
    }
    expect(offset).toBe(bytes.length);
    expect(types[0]).toBe('messageStart');
    expect(types).toContain('contentBlockStart');
    expect(types.slice(-2)).toEqual(['messageStop', 'metadata']);
    expect(server.requests[0]?.protocol).toBe('http/1.1');
  });

  it('serves HTTP/1.1 clients (fetch) on the same port as the SDK', async () => {
    const server = await start();
    const viaFetch = await postConverse(
      server,
      { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] },
      { modelId: 'amazon.nova-micro-v1:0' },
    );
    expect(viaFetch.status).toBe(200);
    expect(viaFetch.headers.get('x-amzn-requestid')).toBeTruthy();
    const body = (await viaFetch.json()) as { output: { message: { content: ContentBlock[] } }; stopReason: string };
    expect(body.stopReason).toBe('end_turn');
    await sdkClient(server).send(new ConverseCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }));
    expect(server.requests.map((r) => r.protocol)).toEqual(['http/1.1', 'h2']);
  });

  it('counts accepted connections: the default SDK handler opens one per call', async () => {
    const server = await start();
    const client = sdkClient(server);
    for (let i = 0; i < 3; i++) {
      await client.send(new ConverseCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }));
    }
    expect(server.requests).toHaveLength(3);
    expect(server.connectionsOpened).toBe(3);
    client.destroy();
  });

  it('records the request body, its byte size and the model id as sent', async () => {
    const server = await start();
    const body = { messages: [{ role: 'user', content: [{ text: 'Count my bytes' }] }], inferenceConfig: { maxTokens: 100 } };
    await postConverse(server, body, { modelId: 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0' });
    const [recorded] = server.requests;
    expect(recorded?.bytes).toBe(Buffer.byteLength(JSON.stringify(body)));
    expect(recorded?.body).toEqual(body);
    expect(recorded?.modelId).toBe('arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0');
  });

  it('does not keep requests when recordRequests is false', async () => {
    const server = await start({ recordRequests: false });
    await postConverse(server, { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
    expect(server.requests).toHaveLength(0);
  });
});

describe('scripts and responders', () => {
  const scenarios: Script = {
    scenarios: [
      { match: '^weather', turns: [{ content: [{ text: 'Weather scenario' }] }] },
      { match: 'ECS tasks', turns: [{ content: [{ text: 'ECS scenario' }] }] },
    ],
  };

  it('picks the scenario whose regex matches the first user text', async () => {
    const server = await start({ script: scenarios });
    const client = sdkClient(server);
    const ask = async (text: string) =>
      (await client.send(new ConverseCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text }] }] }))).output?.message
        ?.content?.[0]?.text;
    expect(await ask('weather in Oslo')).toBe('Weather scenario');
    expect(await ask('How many failed ECS tasks?')).toBe('ECS scenario');
  });

  it('answers a clear ValidationException when no scenario matches or the script runs out of turns', async () => {
    const server = await start({ script: scenarios });
    const client = sdkClient(server);
    const error = await client
      .send(new ConverseCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text: 'unrelated' }] }] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toMatch(/no script scenario matches the first user text "unrelated"/);

    const exhausted = await client
      .send(
        new ConverseCommand({
          modelId: NOVA_PRO,
          messages: [
            { role: 'user', content: [{ text: 'weather?' }] },
            { role: 'assistant', content: [{ text: 'Weather scenario' }] },
            { role: 'user', content: [{ text: 'and tomorrow?' }] },
          ],
        }),
      )
      .catch((e: unknown) => e);
    expect(exhausted).toBeInstanceOf(ValidationException);
    expect((exhausted as Error).message).toMatch(/has 1 turn\(s\) but this request needs turn 2/);
  });

  it('loads a script from a JSON file path and rejects a broken script at startup', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'bedrock-local-'));
    const path = join(dir, 'script.json');
    await writeFile(path, JSON.stringify({ turns: [{ content: [{ text: 'from a file' }] }] }));
    const server = await start({ script: path });
    const response = await sdkClient(server).send(
      new ConverseCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    );
    expect(response.output?.message?.content?.[0]?.text).toBe('from a file');

    await expect(start({ script: { turns: [{ content: [] }] } })).rejects.toMatchObject({ code: 'SCRIPT_INVALID' });
    await expect(start({ script: { scenarios: [{ match: '(', turns: [] }] } })).rejects.toThrow(/not a valid regular expression/);
    await expect(start({ script: join(dir, 'missing.json') })).rejects.toThrow(/cannot read/);
    await expect(start({ script: { turns: [{ content: [{ text: 'x' }], stopReason: 'done' as never }] } })).rejects.toThrow(
      /not a Converse stop reason/,
    );
  });

  it('passes the parsed request to a responder, which may answer a turn or throw a service error', async () => {
    const seen: Array<{ turnIndex: number; route: string; model: string }> = [];
    const server = await start({
      responder: ({ body, turnIndex, route, model }) => {
        seen.push({ turnIndex, route, model: model.name });
        const text = body.messages[0]?.content[0];
        if (text && 'text' in text && text.text === 'fail') throw new BedrockServiceError(429, 'ThrottlingException', 'slow down');
        return { content: [{ text: `turn ${turnIndex}` }] };
      },
    });
    const client = sdkClient(server, { maxAttempts: 1 });
    const ok = await client.send(
      new ConverseCommand({ modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    );
    expect(ok.output?.message?.content?.[0]?.text).toBe('turn 0');
    await expect(
      client.send(new ConverseCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text: 'fail' }] }] })),
    ).rejects.toMatchObject({ name: 'ThrottlingException', message: 'slow down' });
    expect(seen).toEqual([
      { turnIndex: 0, route: 'converse', model: 'Nova Lite' },
      { turnIndex: 0, route: 'converse', model: 'Nova Pro' },
    ]);
  });

  it('answers scripted stop reasons as given', async () => {
    const server = await start({ script: { turns: [{ content: [{ text: 'Blocked.' }], stopReason: 'guardrail_intervened' }] } });
    const response = await sdkClient(server).send(
      new ConverseCommand({ modelId: NOVA_PRO, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    );
    expect(response.stopReason).toBe('guardrail_intervened');
  });
});
