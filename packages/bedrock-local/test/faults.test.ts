import { performance } from 'node:perf_hooks';
import {
  ConverseCommand,
  ConverseStreamCommand,
  InternalServerException,
  ModelErrorException,
  ModelStreamErrorException,
  ServiceUnavailableException,
  ThrottlingException,
  type BedrockRuntimeClient,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  type ConverseStreamCommandInput,
  type ConverseStreamCommandOutput,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import type { LocalBedrock, ScriptTurn } from '../src/index.js';
import { NOVA_PRO, postConverse, sdkClient, useLocalBedrock, weatherTool } from './helpers.js';

const NOVA_MICRO = 'us.amazon.nova-micro-v1:0';
const NOVA_TOOL_USE_ERROR =
  'The model produced an invalid sequence as part of ToolUse. Please refer to the model tool use troubleshooting guide.';
const NOVA_TOOL_USE_STREAM_ERROR =
  'Model produced invalid sequence as part of ToolUse. Please refer to the model tool use troubleshooting guide.';

type Start = ReturnType<typeof useLocalBedrock>;

/**
 * A test with a server starter of its own, in a suite of its own. useLocalBedrock() closes, after
 * each test, every server its starter opened, so tests sharing one starter cannot overlap; with one
 * starter per test, the tests of a describe.concurrent block run side by side and the SDK's retry
 * backoffs (random, up to 1-2 s per throttled attempt) are waited out in parallel.
 */
function serverTest(name: string, body: (start: Start) => Promise<void>): void {
  describe(name, () => {
    const start = useLocalBedrock();
    it(name, () => body(start));
  });
}

type Request = Omit<ConverseCommandInput, 'modelId'> & { modelId?: string };

const hello = (text = 'Hello there'): Request => ({ messages: [{ role: 'user', content: [{ text }] }] });

function converse(client: BedrockRuntimeClient, request: Request = hello()): Promise<ConverseCommandOutput> {
  return client.send(new ConverseCommand({ modelId: NOVA_PRO, ...request }));
}

function converseStream(client: BedrockRuntimeClient, request: Request = hello()): Promise<ConverseStreamCommandOutput> {
  return client.send(new ConverseStreamCommand({ modelId: NOVA_PRO, ...(request as Omit<ConverseStreamCommandInput, 'modelId'>) }));
}

/** The rejection of a promise that must reject. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Reads a ConverseStream to its end or to the error thrown by the for-await. */
async function drain(response: ConverseStreamCommandOutput): Promise<{ events: ConverseStreamOutput[]; error: unknown }> {
  const events: ConverseStreamOutput[] = [];
  if (!response.stream) throw new Error('ConverseStream response has no stream');
  try {
    for await (const event of response.stream) events.push(event);
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

/** The member name of each stream event: messageStart, contentBlockDelta, … */
const kinds = (events: readonly ConverseStreamOutput[]) =>
  events.map((event) => Object.entries(event).find(([, value]) => value !== undefined)?.[0]);

const streamedText = (events: readonly ConverseStreamOutput[]) =>
  events.map((event) => event.contentBlockDelta?.delta?.text ?? '').join('');

/**
 * Node's timers run on libuv's millisecond loop clock, so a 200 ms sleep can end up to 1 ms short of
 * 200 ms by performance.now(). Latency lower bounds allow for that; a missing delay is still far off.
 */
const TIMER_SLACK_MS = 1;

const statuses = (server: LocalBedrock) => server.requests.map((request) => request.status);

/** Reads an HTTP/1.1 body chunk by chunk, keeping what arrived before an error. */
async function readBody(response: Response): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Uint8Array[] = [];
  const reader = response.body?.getReader();
  if (!reader) throw new Error('response has no body');
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
  return { bytes: Buffer.concat(chunks), error: undefined };
}

/** Splits event-stream bytes into whole frames (by their 4-byte total-length prelude) and a leftover tail. */
function splitFrames(bytes: Buffer): { frames: number; leftover: number } {
  let offset = 0;
  let frames = 0;
  while (bytes.length - offset >= 4) {
    const total = bytes.readUInt32BE(offset);
    // A prelude (12 bytes) and message CRC (4) at least; anything shorter is not a frame.
    if (total < 16 || bytes.length - offset < total) break;
    offset += total;
    frames += 1;
  }
  return { frames, leftover: bytes.length - offset };
}

describe.concurrent('retried HTTP errors (SDK standard mode, 3 attempts)', () => {
  serverTest('throttling on requests 1 and 2: Converse succeeds on the 3rd request', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'throttling' }, requests: [1, 2] });

    const response = await converse(sdkClient(server));

    expect(response.$metadata.attempts).toBe(3);
    expect(response.output?.message?.content?.[0]?.text).toContain('Hello from bedrock-local');
    expect(statuses(server)).toEqual([429, 429, 200]);
    expect(server.requests.map((request) => request.errorType)).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
  });

  serverTest('throttling 3 times: the SDK gives up with ThrottlingException after 3 attempts', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'throttling' }, times: 3 });

    const error = await rejectionOf(converse(sdkClient(server)));

    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).message).toBe('Too many requests, please wait before trying again.');
    expect((error as ThrottlingException).$metadata.httpStatusCode).toBe(429);
    expect((error as ThrottlingException).$metadata.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
    expect(statuses(server)).toEqual([429, 429, 429]);
  });

  serverTest('service-unavailable once: retried, succeeds on the 2nd request', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'service-unavailable' } });

    const response = await converse(sdkClient(server));

    expect(response.$metadata.attempts).toBe(2);
    expect(statuses(server)).toEqual([503, 200]);
    expect(server.requests[0]?.errorType).toBe('ServiceUnavailableException');
  });

  serverTest('service-unavailable 3 times: ServiceUnavailableException after 3 attempts', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'service-unavailable' }, times: 3 });

    const error = await rejectionOf(converse(sdkClient(server)));

    expect(error).toBeInstanceOf(ServiceUnavailableException);
    expect((error as ServiceUnavailableException).$metadata.attempts).toBe(3);
    expect(statuses(server)).toEqual([503, 503, 503]);
  });

  serverTest('internal-error once: retried, succeeds on the 2nd request', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'internal-error' } });

    const response = await converse(sdkClient(server));

    expect(response.$metadata.attempts).toBe(2);
    expect(statuses(server)).toEqual([500, 200]);
    expect(server.requests[0]?.errorType).toBe('InternalServerException');
  });

  serverTest('internal-error on every request: InternalServerException after 3 attempts', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'internal-error' }, times: Infinity });

    const error = await rejectionOf(converse(sdkClient(server)));

    expect(error).toBeInstanceOf(InternalServerException);
    expect((error as InternalServerException).$metadata.attempts).toBe(3);
    expect(statuses(server)).toEqual([500, 500, 500]);
  });

  serverTest('a 429 before a ConverseStream is retried too, and the stream completes', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'throttling' } });

    const response = await converseStream(sdkClient(server));
    const { events, error } = await drain(response);

    expect(error).toBeUndefined();
    expect(response.$metadata.attempts).toBe(2);
    expect(kinds(events).at(-2)).toBe('messageStop');
    expect(statuses(server)).toEqual([429, 200]);
  });
});

describe.concurrent('model-error (424, not retried)', () => {
  serverTest('Converse throws ModelErrorException with the Nova text after a single request', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'model-error' } });

    const error = await rejectionOf(converse(sdkClient(server)));

    expect(error).toBeInstanceOf(ModelErrorException);
    expect((error as ModelErrorException).message).toBe(NOVA_TOOL_USE_ERROR);
    expect((error as ModelErrorException).$metadata.httpStatusCode).toBe(424);
    expect((error as ModelErrorException).$metadata.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ status: 424, errorType: 'ModelErrorException' });
  });

  serverTest('ConverseStream send() rejects with ModelErrorException, not retried', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'model-error' } });

    const error = await rejectionOf(converseStream(sdkClient(server)));

    expect(error).toBeInstanceOf(ModelErrorException);
    expect((error as ModelErrorException).$metadata.attempts).toBe(1);
    expect(statuses(server)).toEqual([424]);
  });
});

describe.concurrent('drop-connection', () => {
  serverTest('HTTP/2: the SDK retries a dropped connection and succeeds on request 2', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'drop-connection' } });

    const response = await converse(sdkClient(server));

    expect(response.$metadata.attempts).toBe(2);
    expect(response.output?.message?.content?.[0]?.text).toContain('Hello from bedrock-local');
    expect(server.requests.map((request) => [request.protocol, request.status])).toEqual([
      ['h2', 0],
      ['h2', 200],
    ]);
  });

  serverTest('HTTP/2: dropped on every attempt, the SDK gives up after 3 with a TimeoutError', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'drop-connection' }, times: Infinity });

    const error = await rejectionOf(converse(sdkClient(server)));

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('TimeoutError');
    expect((error as Error).message).toContain('http2 request did not get a response');
    expect((error as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(3);
    expect(statuses(server)).toEqual([0, 0, 0]);
  });

  serverTest('HTTP/1.1: fetch rejects, and the next request on the server is answered', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'drop-connection' } });

    const error = await rejectionOf(postConverse(server, hello()));

    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    const next = await postConverse(server, hello());
    expect(next.status).toBe(200);
    expect(server.requests.map((request) => [request.protocol, request.status])).toEqual([
      ['http/1.1', 0],
      ['http/1.1', 200],
    ]);
  });
});

describe.concurrent('latency', () => {
  serverTest('a latency fault delays the response by at least its ms', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'latency', ms: 300 } });

    const startedAt = performance.now();
    const response = await converse(sdkClient(server));
    const elapsed = performance.now() - startedAt;

    expect(response.$metadata.attempts).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(300 - TIMER_SLACK_MS);
    expect(server.requests[0]?.durationMs).toBeGreaterThanOrEqual(300 - TIMER_SLACK_MS);
    expect(response.metrics?.latencyMs).toBeGreaterThanOrEqual(300);
  });

  serverTest('latency combines with a throttling rule on the same request', async (start) => {
    const server = await start();
    server.injectFaults([
      { fault: { kind: 'latency', ms: 300 }, requests: [1] },
      { fault: { kind: 'throttling' }, requests: [1] },
    ]);

    const startedAt = performance.now();
    const response = await converse(sdkClient(server));
    const elapsed = performance.now() - startedAt;

    expect(response.$metadata.attempts).toBe(2);
    expect(statuses(server)).toEqual([429, 200]);
    expect(server.requests[0]?.durationMs).toBeGreaterThanOrEqual(300 - TIMER_SLACK_MS);
    expect(elapsed).toBeGreaterThanOrEqual(300 - TIMER_SLACK_MS);
  });

  serverTest('server option latencyMs applies to every request: Converse, ConverseStream and fault errors', async (start) => {
    const server = await start({ latencyMs: 200 });
    const client = sdkClient(server, { maxAttempts: 1 });

    let startedAt = performance.now();
    await converse(client);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(200 - TIMER_SLACK_MS);

    startedAt = performance.now();
    const response = await converseStream(client);
    const firstEvent = await response.stream?.[Symbol.asyncIterator]().next();
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(200 - TIMER_SLACK_MS);
    expect(firstEvent?.value).toMatchObject({ messageStart: { role: 'assistant' } });

    server.injectFaults({ fault: { kind: 'throttling' } });
    startedAt = performance.now();
    expect(await rejectionOf(converse(client))).toBeInstanceOf(ThrottlingException);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(200 - TIMER_SLACK_MS);

    expect(server.requests.map((request) => request.status)).toEqual([200, 200, 429]);
    for (const request of server.requests) expect(request.durationMs).toBeGreaterThanOrEqual(200 - TIMER_SLACK_MS);
  });
});

describe.concurrent('rule matching', () => {
  serverTest('a per-model rule throttles that model (matched by its foundation-model id) and not another', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'throttling' }, model: 'amazon.nova-micro-v1:0', times: Infinity });
    const client = sdkClient(server);

    const error = await rejectionOf(converse(client, { ...hello(), modelId: NOVA_MICRO }));
    const response = await converse(client, { ...hello(), modelId: NOVA_PRO });

    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).$metadata.attempts).toBe(3);
    expect(response.$metadata.attempts).toBe(1);
    expect(server.requests.map((request) => [request.modelId, request.status])).toEqual([
      [NOVA_MICRO, 429],
      [NOVA_MICRO, 429],
      [NOVA_MICRO, 429],
      [NOVA_PRO, 200],
    ]);
  });

  serverTest('a rule naming the model as sent matches only that exact id', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'service-unavailable' }, model: NOVA_MICRO, times: Infinity });

    expect((await postConverse(server, hello(), { modelId: 'eu.amazon.nova-micro-v1:0' })).status).toBe(200);
    expect((await postConverse(server, hello(), { modelId: 'amazon.nova-micro-v1:0' })).status).toBe(200);
    expect((await postConverse(server, hello(), { modelId: NOVA_MICRO })).status).toBe(503);
    expect((await postConverse(server, hello(), { modelId: NOVA_MICRO })).status).toBe(503);
  });

  serverTest("route: 'converse-stream' limits a rule to streams", async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'throttling' }, route: 'converse-stream' });
    const client = sdkClient(server);

    const plain = await converse(client);
    const streamed = await converseStream(client);
    const { error } = await drain(streamed);

    expect(plain.$metadata.attempts).toBe(1);
    expect(streamed.$metadata.attempts).toBe(2);
    expect(error).toBeUndefined();
    expect(server.requests.map((request) => [request.route, request.status])).toEqual([
      ['converse', 200],
      ['converse-stream', 429],
      ['converse-stream', 200],
    ]);
  });

  serverTest('stream faults never hit Converse and stay pending for the next stream', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'stream-exception', afterEvents: 1 } });
    const client = sdkClient(server);

    await converse(client);
    const { events, error } = await drain(await converseStream(client));

    expect(kinds(events)).toEqual(['messageStart']);
    expect(error).toBeInstanceOf(ModelStreamErrorException);
    expect(server.requests.map((request) => [request.route, request.errorType])).toEqual([
      ['converse', undefined],
      ['converse-stream', 'modelStreamErrorException'],
    ]);
  });

  serverTest('requests: [n] hits exactly the n-th request of the server', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'internal-error' }, requests: [2] });

    const statusesSeen: number[] = [];
    for (let i = 0; i < 3; i++) statusesSeen.push((await postConverse(server, hello())).status);

    expect(statusesSeen).toEqual([200, 500, 200]);
  });

  serverTest('clearFaults() removes pending rules', async (start) => {
    const server = await start();
    server.injectFaults([
      { fault: { kind: 'throttling' }, times: Infinity },
      { fault: { kind: 'model-error' }, requests: [1] },
      { fault: { kind: 'latency', ms: 5_000 } },
    ]);
    server.clearFaults();

    const response = await converse(sdkClient(server));

    expect(response.$metadata.attempts).toBe(1);
    expect(statuses(server)).toEqual([200]);
    expect(server.requests[0]?.durationMs).toBeLessThan(5_000);
  });
});

describe.concurrent('ConverseStream exceptions', () => {
  serverTest(
    'a throttlingException in the first frame rejects send() and the SDK retries: the stream completes on request 2',
    async (start) => {
      const server = await start();
      server.injectFaults({ fault: { kind: 'stream-exception', afterEvents: 0, exception: 'throttlingException' }, requests: [1] });

      const response = await converseStream(sdkClient(server));
      const { events, error } = await drain(response);

      expect(error).toBeUndefined();
      expect(response.$metadata.attempts).toBe(2);
      expect(kinds(events).slice(-2)).toEqual(['messageStop', 'metadata']);
      expect(streamedText(events)).toContain('Hello from bedrock-local');
      expect(server.requests).toHaveLength(2);
      expect(server.requests.map((request) => [request.status, request.errorType])).toEqual([
        [200, 'throttlingException'],
        [200, undefined],
      ]);
    },
  );

  serverTest('a first-frame modelStreamErrorException rejects send() and is not retried', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'stream-exception', afterEvents: 0 } });

    const error = await rejectionOf(converseStream(sdkClient(server)));

    expect(error).toBeInstanceOf(ModelStreamErrorException);
    expect((error as ModelStreamErrorException).$metadata.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  serverTest('a first-frame internalServerException rejects send() and is not retried (HTTP status was 200)', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'stream-exception', afterEvents: 0, exception: 'internalServerException' } });

    const error = await rejectionOf(converseStream(sdkClient(server)));

    expect(error).toBeInstanceOf(InternalServerException);
    expect((error as InternalServerException).$metadata.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  const midStream = [
    ['modelStreamErrorException', ModelStreamErrorException, NOVA_TOOL_USE_STREAM_ERROR],
    ['throttlingException', ThrottlingException, 'Too many requests, please wait before trying again.'],
  ] as const;
  for (const [exception, type, message] of midStream) {
    serverTest(`${exception} after 3 events: send() resolves, 3 events, then the for-await throws; not retried`, async (start) => {
      const server = await start();
      server.injectFaults({ fault: { kind: 'stream-exception', afterEvents: 3, exception } });

      const response = await converseStream(sdkClient(server));
      const { events, error } = await drain(response);

      expect(response.$metadata.attempts).toBe(1);
      expect(kinds(events)).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta']);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toBe(message);
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]).toMatchObject({ status: 200, errorType: exception });
    });
  }

  serverTest('a custom message is carried by the exception', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'stream-exception', afterEvents: 2, exception: 'validationException', message: 'bad output' } });

    const { events, error } = await drain(await converseStream(sdkClient(server)));

    expect(events).toHaveLength(2);
    expect((error as Error).name).toBe('ValidationException');
    expect((error as Error).message).toBe('bad output');
  });
});

describe.concurrent('stream-cut', () => {
  serverTest('SDK: the for-await yields 2 events then throws; recorded errorType is cut', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'stream-cut', afterEvents: 2 } });

    const response = await converseStream(sdkClient(server));
    const { events, error } = await drain(response);

    expect(kinds(events)).toEqual(['messageStart', 'contentBlockDelta']);
    expect(error).toBeInstanceOf(Error);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ status: 200, errorType: 'cut' });
  });

  serverTest('HTTP/1.1: reading the body fails after 2 whole frames and half of the third', async (start) => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'stream-cut', afterEvents: 2 } });

    const response = await postConverse(server, hello(), { stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const { bytes, error } = await readBody(response);

    expect(error).toBeInstanceOf(TypeError);
    const { frames, leftover } = splitFrames(bytes);
    expect(frames).toBe(2);
    expect(leftover).toBeGreaterThan(0);
    expect(server.requests[0]).toMatchObject({ protocol: 'http/1.1', errorType: 'cut' });
  });

  serverTest('HTTP/1.1 control: without the fault the same body is whole frames only', async (start) => {
    const server = await start();

    const { bytes, error } = await readBody(await postConverse(server, hello(), { stream: true }));

    expect(error).toBeUndefined();
    const { frames, leftover } = splitFrames(bytes);
    expect(frames).toBeGreaterThan(3);
    expect(leftover).toBe(0);
  });
});

describe.concurrent('output shaping: maxTokens and stopSequences', () => {
  const longText = 'word '.repeat(80); // 400 characters, 100 tokens
  const longTurn: ScriptTurn = { content: [{ text: longText }] };
  const weatherTurn: ScriptTurn = {
    content: [
      { text: 'Let me check.' },
      {
        toolUse: {
          toolUseId: 'auto',
          name: 'get_weather',
          input: { city: 'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch, Wales' },
        },
      },
    ],
  };
  const toolRequest = (maxTokens: number): Request => ({
    ...hello('What is the weather?'),
    toolConfig: { tools: [weatherTool] },
    inferenceConfig: { maxTokens },
  });

  serverTest('Converse: maxTokens 10 cuts a 400-character text to 40 characters, stopReason max_tokens', async (start) => {
    const server = await start({ script: { turns: [longTurn] } });

    const response = await converse(sdkClient(server), { ...hello(), inferenceConfig: { maxTokens: 10 } });

    expect(response.stopReason).toBe('max_tokens');
    expect(response.output?.message?.content).toEqual([{ text: longText.slice(0, 40) }]);
    expect(response.output?.message?.content?.[0]?.text).toHaveLength(40);
    expect(response.usage?.outputTokens).toBe(10);
    expect(server.requests[0]).toMatchObject({ status: 200, stopReason: 'max_tokens' });
  });

  serverTest('ConverseStream: the same cut, messageStop max_tokens', async (start) => {
    const server = await start({ script: { turns: [longTurn] } });

    const { events, error } = await drain(await converseStream(sdkClient(server), { ...hello(), inferenceConfig: { maxTokens: 10 } }));

    expect(error).toBeUndefined();
    expect(streamedText(events)).toBe(longText.slice(0, 40));
    expect(events.find((event) => event.messageStop)?.messageStop?.stopReason).toBe('max_tokens');
    expect(events.find((event) => event.metadata)?.metadata?.usage?.outputTokens).toBe(10);
  });

  serverTest('Converse: maxTokens running out inside a toolUse is a ModelErrorException, not retried', async (start) => {
    const server = await start({ script: { turns: [weatherTurn] } });

    const error = await rejectionOf(converse(sdkClient(server), toolRequest(8)));

    expect(error).toBeInstanceOf(ModelErrorException);
    expect((error as ModelErrorException).message).toBe(NOVA_TOOL_USE_ERROR);
    expect((error as ModelErrorException).$metadata.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ status: 424, errorType: 'ModelErrorException' });
  });

  serverTest('ConverseStream: the text events arrive, then ModelStreamErrorException with the Nova stream text', async (start) => {
    const server = await start({ script: { turns: [weatherTurn] } });

    const response = await converseStream(sdkClient(server), toolRequest(8));
    const { events, error } = await drain(response);

    expect(response.$metadata.attempts).toBe(1);
    expect(kinds(events)).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop']);
    expect(streamedText(events)).toBe('Let me check.');
    expect(error).toBeInstanceOf(ModelStreamErrorException);
    expect((error as ModelStreamErrorException).message).toBe(NOVA_TOOL_USE_STREAM_ERROR);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.errorType).toBe('modelStreamErrorException');
  });

  serverTest('control: with enough maxTokens the same turn is a normal tool_use answer', async (start) => {
    const server = await start({ script: { turns: [weatherTurn] } });

    const response = await converse(sdkClient(server), toolRequest(1_000));

    expect(response.stopReason).toBe('tool_use');
    expect(response.output?.message?.content?.[1]?.toolUse?.name).toBe('get_weather');
  });

  serverTest('stopSequences: the text before the sequence, stopReason stop_sequence', async (start) => {
    const server = await start({ script: { turns: [{ content: [{ text: 'The answer is 42. STOP Then more text.' }] }] } });

    const response = await converse(sdkClient(server), { ...hello(), inferenceConfig: { stopSequences: ['STOP'] } });

    expect(response.stopReason).toBe('stop_sequence');
    expect(response.output?.message?.content).toEqual([{ text: 'The answer is 42. ' }]);
    expect(response.usage?.outputTokens).toBe(Math.ceil('The answer is 42. '.length / 4));
  });

  serverTest('stopSequences through ConverseStream: messageStop stop_sequence', async (start) => {
    const server = await start({ script: { turns: [{ content: [{ text: 'The answer is 42. STOP Then more text.' }] }] } });

    const { events } = await drain(await converseStream(sdkClient(server), { ...hello(), inferenceConfig: { stopSequences: ['STOP'] } }));

    expect(streamedText(events)).toBe('The answer is 42. ');
    expect(events.find((event) => event.messageStop)?.messageStop?.stopReason).toBe('stop_sequence');
  });
});

describe('fault rules and malformed requests', () => {
  const start = useLocalBedrock();

  it('does not spend a planned fault on a request with an unknown model id or a non-JSON body', async () => {
    const server = await start();
    server.injectFaults({ fault: { kind: 'throttling' } });
    const badModel = await postConverse(server, { messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, { modelId: 'bogus' });
    expect(badModel.status).toBe(400);
    const badJson = await postConverse(server, '{not json');
    expect(badJson.status).toBe(400);
    const planned = await postConverse(server, { messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    expect(planned.status).toBe(429);
    expect(server.requests.map((r) => r.errorType)).toEqual(['ValidationException', 'SerializationException', 'ThrottlingException']);
  });
});
