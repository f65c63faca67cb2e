import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod3';
import {
  classify,
  ClassificationError,
  ClassifyConfigError,
  costOf,
  extract,
  ExtractionError,
  ExtractSchemaError,
  InvalidRequestError,
  modelInfo,
} from '../src/index.js';
import { bodies, LOCAL_CREDENTIALS, useBedrock } from './helpers.js';

/** The fields of a sent Converse body these tests read. */
interface WireBody {
  toolConfig: { toolChoice: unknown; tools: Array<{ toolSpec: { inputSchema: { json: unknown } } }> };
  inferenceConfig: unknown;
  additionalModelRequestFields: unknown;
  messages: unknown;
  system: unknown;
}

const LABELS = ['BILLING', 'TECHNICAL', 'SHIPPING', 'RETURNS', 'OTHER'] as const;
const RULES = {
  classify: [
    { match: 'refund|invoice|charged', label: 'BILLING' },
    { match: 'parcel|delivery|tracking', label: 'SHIPPING' },
    { match: 'crash|error|login', label: 'TECHNICAL' },
    { match: 'gibberish', label: 'URGENT' },
  ],
};
const MICRO = 'us.amazon.nova-micro-v1:0';

describe('classify', () => {
  const { start, agentOn } = useBedrock();
  const config = (endpoint: string) => ({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });

  it('answers one of the labels through a forced enum tool on Nova Micro, greedy, with usage and cost', async () => {
    const server = await start({ script: RULES });
    const result = await classify('I was charged twice for order 1182, please refund me', {
      labels: LABELS,
      clientConfig: config(server.endpoint),
    });
    expect(result.label).toBe('BILLING');
    expectTypeOf(result.label).toEqualTypeOf<'BILLING' | 'TECHNICAL' | 'SHIPPING' | 'RETURNS' | 'OTHER'>();
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0];
    expect(request?.modelId).toBe(MICRO);
    expect(request?.route).toBe('converse');
    const body = bodies(server)[0] as unknown as WireBody;
    expect(body.toolConfig.toolChoice).toEqual({ tool: { name: 'classify' } });
    expect(body.toolConfig.tools[0]?.toolSpec.inputSchema.json).toEqual({
      type: 'object',
      properties: { label: { type: 'string', enum: [...LABELS] } },
      required: ['label'],
    });
    expect(body.inferenceConfig).toEqual({ maxTokens: 100, temperature: 0 });
    expect(body.additionalModelRequestFields).toEqual({ inferenceConfig: { topK: 1 } });
    expect(body.messages).toEqual([{ role: 'user', content: [{ text: 'I was charged twice for order 1182, please refund me' }] }]);
    expect(result.usage.inputTokens).toBe(request?.usage?.inputTokens);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.costUsd).toBe(costOf(result.usage, modelInfo(MICRO).price));
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const other = await classify('Where is my parcel?', {
      labels: LABELS,
      clientConfig: config(server.endpoint),
      instructions: 'Be exact.',
    });
    expect(other.label).toBe('SHIPPING');
    expect((bodies(server)[1] as unknown as WireBody).system).toEqual([{ text: 'Be exact.' }]);
  });

  it("shares an Agent's pooled client: no new connection per call", async () => {
    const server = await start({ script: RULES });
    // Sharing is of the SDK client, which only the SDK transport has (the core-lean project's agents have none).
    const agent = agentOn(server, { transport: 'sdk' });
    await agent.run('hello');
    for (const text of ['my login fails', 'refund please', 'tracking number?'])
      await classify(text, { labels: LABELS, client: agent.client });
    expect(server.connectionsOpened).toBe(1);
    expect(server.requests.map((r) => r.modelId)).toEqual(['us.amazon.nova-pro-v1:0', MICRO, MICRO, MICRO]);
  });

  it('goes through the retry policy: a throttled call is retried; a broken tool call is asked again', async () => {
    const server = await start({ script: RULES });
    server.injectFaults({ fault: { kind: 'throttling' }, requests: [1] });
    server.injectFaults({ fault: { kind: 'model-error' }, requests: [3] });
    const options = { labels: LABELS, clientConfig: config(server.endpoint), retry: { baseDelayMs: 1, maxDelayMs: 2 } };
    expect((await classify('refund', options)).label).toBe('BILLING');
    expect((await classify('refund', options)).label).toBe('BILLING');
    expect(server.requests.map((r) => r.status)).toEqual([429, 200, 424, 200]);
    server.injectFaults({ fault: { kind: 'throttling' }, times: 2 });
    await expect(classify('refund', { ...options, retry: { maxAttempts: 2, baseDelayMs: 1 } })).rejects.toMatchObject({
      bedrockCode: 'ThrottlingException',
      attempts: 2,
    });
  });

  it('an answer outside the labels is a ClassificationError carrying the raw answer', async () => {
    const server = await start({ script: RULES });
    const error = await classify('gibberish', { labels: LABELS, clientConfig: config(server.endpoint) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClassificationError);
    expect(error).toMatchObject({ code: 'CLASSIFICATION_FAILED', rawOutput: { label: 'URGENT' } });
    expect((error as Error).message).toMatch(/not one of the labels \(BILLING, TECHNICAL/);
  });

  it('rejects bad labels, a bad model id and a blank text before sending anything', async () => {
    const server = await start({ script: RULES });
    const clientConfig = config(server.endpoint);
    await expect(classify('x', { labels: [], clientConfig })).rejects.toThrow(ClassifyConfigError);
    await expect(classify('x', { labels: ['A', 'B', 'A'], clientConfig })).rejects.toThrow(/"A" is listed twice/);
    await expect(classify('x', { labels: ['A', ' '], clientConfig })).rejects.toMatchObject({ code: 'CLASSIFY_CONFIG' });
    await expect(classify('x', { labels: undefined as never, clientConfig })).rejects.toMatchObject({ code: 'CLASSIFY_CONFIG' });
    await expect(classify('x', { labels: LABELS, model: 'us.amazon.nova-micro', clientConfig })).rejects.toThrow(InvalidRequestError);
    await expect(classify('   ', { labels: LABELS, clientConfig })).rejects.toMatchObject({ code: 'PROMPT_EMPTY' });
    // A labels array that changed after a call is checked again.
    const labels = ['A', 'B'];
    await classify('x', { labels, clientConfig: { ...clientConfig, endpoint: 'http://127.0.0.1:9' }, retry: { maxAttempts: 1 } }).catch(
      () => undefined,
    );
    labels.push('A');
    await expect(classify('x', { labels, clientConfig })).rejects.toThrow(/"A" is listed twice/);
    expect(server.requests).toHaveLength(0);
  });

  it('stops when its signal aborts, rejecting with the signal reason', async () => {
    const server = await start({ script: RULES, latencyMs: 2_000 });
    const controller = new AbortController();
    const pending = classify('refund', { labels: LABELS, clientConfig: config(server.endpoint), signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user left')), 20);
    await expect(pending).rejects.toThrow('user left');
  });
});

const Order = z.object({ orderId: z.string().regex(/^\d+$/), amount: z.number().positive(), currency: z.enum(['USD', 'EUR']) });
const Order3 = z3.object({ orderId: z3.string().regex(/^\d+$/), amount: z3.number().positive(), currency: z3.enum(['USD', 'EUR']) });

describe('extract', () => {
  const { start } = useBedrock();
  const config = (endpoint: string) => ({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  const answering = (...inputs: unknown[]) => {
    let i = 0;
    return () => ({ content: [{ toolUse: { toolUseId: 'auto', name: 'extract', input: inputs[Math.min(i++, inputs.length - 1)] } }] });
  };

  for (const [version, schema] of [
    ['zod 4', Order],
    ['zod 3', Order3],
  ] as const) {
    it(`returns data typed and parsed by a ${version} object schema, sent as the forced tool's input schema`, async () => {
      const server = await start({ responder: answering({ orderId: '1182', amount: 42.5, currency: 'EUR' }) });
      const result = await extract('Order 1182: 42.50 EUR', schema, { clientConfig: config(server.endpoint) });
      expect(result.data).toEqual({ orderId: '1182', amount: 42.5, currency: 'EUR' });
      expectTypeOf(result.data).toEqualTypeOf<{ orderId: string; amount: number; currency: 'USD' | 'EUR' }>();
      expect(result.attempts).toBe(1);
      expect(result.costUsd).toBe(costOf(result.usage, modelInfo(MICRO).price));
      const body = bodies(server)[0] as unknown as WireBody;
      expect(server.requests[0]?.modelId).toBe(MICRO);
      expect(body.toolConfig.toolChoice).toEqual({ tool: { name: 'extract' } });
      expect(body.toolConfig.tools[0]?.toolSpec.inputSchema.json).toMatchObject({
        type: 'object',
        properties: { orderId: { type: 'string' }, amount: { type: 'number' }, currency: { enum: ['USD', 'EUR'] } },
        required: ['orderId', 'amount', 'currency'],
      });
    });
  }

  it('sends an answer that fails the schema back with the zod issues, and uses the corrected one', async () => {
    const server = await start({
      responder: answering({ orderId: 'A-1', amount: -1, currency: 'EUR' }, { orderId: '1', amount: 1, currency: 'USD' }),
    });
    const result = await extract('Order 1: 1 USD', Order, { clientConfig: config(server.endpoint) });
    expect(result).toMatchObject({ data: { orderId: '1', amount: 1, currency: 'USD' }, attempts: 2 });
    const second = bodies(server)[1];
    expect(second?.messages).toHaveLength(3);
    const feedback = second?.messages[2]?.content?.[0]?.toolResult;
    expect(feedback?.status).toBe('error');
    expect(feedback?.toolUseId).toBe(second?.messages[1]?.content?.[0]?.toolUse?.toolUseId);
    expect(feedback?.content?.[0]?.text).toMatch(/orderId: .*; amount: /);
    expect(result.usage.inputTokens).toBe((server.requests[0]?.usage?.inputTokens ?? 0) + (server.requests[1]?.usage?.inputTokens ?? 0));
  });

  it('throws ExtractionError with the last raw output after maxAttempts', async () => {
    const server = await start({
      responder: answering({ orderId: 'x', amount: 1, currency: 'USD' }, { orderId: 'y', amount: 2, currency: 'GBP' }),
    });
    const error = await extract('Order?', Order3, { clientConfig: config(server.endpoint), maxAttempts: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtractionError);
    expect(error).toMatchObject({ code: 'EXTRACTION_FAILED', attempts: 2, rawOutput: { orderId: 'y', amount: 2, currency: 'GBP' } });
    expect((error as ExtractionError).issues.join('\n')).toMatch(/orderId/);
    expect((error as ExtractionError).issues.join('\n')).toMatch(/currency/);
    expect(server.requests).toHaveLength(2);
  });

  it('rejects a schema that is not a zod object, and bad maxAttempts, before sending anything', async () => {
    const server = await start();
    const clientConfig = config(server.endpoint);
    await expect(extract('x', z.string(), { clientConfig })).rejects.toThrow(ExtractSchemaError);
    await expect(extract('x', z3.array(z3.string()), { clientConfig })).rejects.toMatchObject({ code: 'EXTRACT_SCHEMA' });
    await expect(extract('x', { parse: () => 1 } as never, { clientConfig })).rejects.toThrow(/must be a zod object schema/);
    await expect(extract('x', Order, { clientConfig, maxAttempts: 0 })).rejects.toMatchObject({ code: 'AGENT_CONFIG' });
    expect(server.requests).toHaveLength(0);
  });
});
