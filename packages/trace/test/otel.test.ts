import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { cascade } from '@novaloop/core';
import { afterEach, describe, expect, it } from 'vitest';
import { otelTracing } from '../src/otel.js';
import {
  brokenTool,
  expectNoSecrets,
  INFRA_QUESTION,
  INFRA_SCRIPT,
  leakyScript,
  leakyTool,
  NOVA_PRO,
  say,
  useKit,
  useTool,
} from './helpers.js';

function inMemoryProvider() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const byName = (spans: ReadableSpan[], prefix: string) => spans.filter((span) => span.name.startsWith(prefix));

describe('OpenTelemetry GenAI spans', () => {
  const { start, agentOn } = useKit();
  afterEach(() => {
    trace.disable();
    context.disable();
  });

  it('a successful run: invoke_agent → chat {model} per model call → execute_tool {name} per tool call', async () => {
    const { exporter, provider } = inMemoryProvider();
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server);
    otelTracing({ tracerProvider: provider, agentName: 'infra-assistant' }).attach(agent);
    const result = await agent.run(INFRA_QUESTION, { sessionId: 'ops-1' });
    const spans = exporter.getFinishedSpans();

    const [run] = byName(spans, 'invoke_agent');
    expect(run?.name).toBe('invoke_agent infra-assistant');
    expect(parentOf(run!)).toBeUndefined();
    expect(run?.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.agent.name': 'infra-assistant',
      'gen_ai.conversation.id': 'ops-1',
      'gen_ai.request.model': NOVA_PRO,
      'gen_ai.usage.input_tokens': result.usage.inputTokens,
      'gen_ai.usage.output_tokens': result.usage.outputTokens,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'novaloop.run_id': result.runId,
      'novaloop.steps': 3,
      'novaloop.cost_usd': result.costUsd,
    });
    expect(run?.status.code).toBe(SpanStatusCode.UNSET);

    const chats = byName(spans, 'chat ');
    expect(chats.map((span) => span.name)).toEqual([`chat ${NOVA_PRO}`, `chat ${NOVA_PRO}`, `chat ${NOVA_PRO}`]);
    chats.forEach((chat, i) => {
      expect(parentOf(chat)).toBe(run?.spanContext().spanId);
      expect(chat.spanContext().traceId).toBe(run?.spanContext().traceId);
      expect(chat.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'aws.bedrock',
        'gen_ai.request.model': NOVA_PRO,
        'gen_ai.usage.input_tokens': result.steps[i]?.usage.inputTokens,
        'gen_ai.usage.output_tokens': result.steps[i]?.usage.outputTokens,
        'gen_ai.response.finish_reasons': [result.steps[i]?.stopReason],
        'novaloop.step': i,
        'novaloop.attempt': 1,
      });
    });

    const tools = byName(spans, 'execute_tool');
    expect(tools.map((span) => span.name)).toEqual(['execute_tool query_database', 'execute_tool get_service_status']);
    expect(tools[1]?.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_service_status',
      'gen_ai.tool.call.id': result.steps[1]?.toolCalls[0]?.toolUseId,
      'gen_ai.tool.type': 'function',
      'novaloop.step': 1,
    });
    expect(tools[1]?.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
    for (const tool of tools) expect(parentOf(tool)).toBe(run?.spanContext().spanId);
    // On the time axis: a tool runs after the model call that asked for it, inside the run.
    const ms = (time: [number, number]) => time[0] * 1e3 + time[1] / 1e6;
    // (The SDK's clock is anchored per span, so allow a millisecond.)
    expect(ms(tools[0]!.startTime)).toBeGreaterThanOrEqual(ms(chats[0]!.endTime) - 1);
    expect(ms(chats[1]!.startTime)).toBeGreaterThanOrEqual(ms(tools[0]!.endTime) - 1);
    expect(ms(run!.endTime)).toBeGreaterThanOrEqual(ms(chats[2]!.endTime) - 1);
  });

  it("a cascade: the classifier's call is a chat span too, and the run's model is the route's", async () => {
    const { exporter, provider } = inMemoryProvider();
    const server = await start({ script: { classify: [{ tool: 'route', label: 'complex' }] } });
    const micro = 'us.amazon.nova-micro-v1:0';
    const agent = agentOn(server, {
      model: cascade({ classifier: micro, routes: { simple: micro, complex: NOVA_PRO }, fallback: 'simple' }),
      tools: [],
    });
    otelTracing({ tracerProvider: provider }).attach(agent);
    await agent.run('an outage');
    const spans = exporter.getFinishedSpans();
    expect(byName(spans, 'chat').map((span) => span.name)).toEqual([`chat ${micro}`, `chat ${NOVA_PRO}`]);
    expect(byName(spans, 'invoke_agent')[0]?.attributes['gen_ai.request.model']).toBe(NOVA_PRO);
  });

  it('a retried call: the throttled attempt is its own chat span with the error, then the retry succeeds', async () => {
    const { exporter, provider } = inMemoryProvider();
    const server = await start({ script: INFRA_SCRIPT });
    server.injectFaults({ fault: { kind: 'throttling' }, times: 2 });
    const agent = agentOn(server);
    otelTracing({ tracerProvider: provider }).attach(agent);
    const result = await agent.run(INFRA_QUESTION);
    expect(result.stopReason).toBe('end_turn');
    const chats = byName(exporter.getFinishedSpans(), 'chat ');
    expect(chats).toHaveLength(5);
    expect(chats.map((chat) => chat.attributes['novaloop.attempt'])).toEqual([1, 2, 3, 1, 1]);
    for (const failed of chats.slice(0, 2)) {
      expect(failed.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringMatching(/\w/) });
      expect(failed.attributes['error.type']).toMatch(/THROTTL|Throttl/i);
      expect(failed.events.map((event) => event.name)).toEqual(['exception']);
      expect(failed.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    }
    expect(chats[2]?.status.code).toBe(SpanStatusCode.UNSET);
    expect(chats[2]?.attributes['gen_ai.usage.input_tokens']).toBe(result.steps[0]?.usage.inputTokens);
    expect(byName(exporter.getFinishedSpans(), 'invoke_agent')[0]?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a failing tool: its execute_tool span has status ERROR and the exception; a failed run marks invoke_agent', async () => {
    const { exporter, provider } = inMemoryProvider();
    const server = await start({ script: { turns: [useTool('restart_service', { service_name: 'payments-api' }), say('It is locked.')] } });
    const agent = agentOn(server, { tools: [brokenTool] });
    otelTracing({ tracerProvider: provider }).attach(agent);
    await agent.run('restart payments-api');
    const [tool] = byName(exporter.getFinishedSpans(), 'execute_tool');
    expect(tool?.name).toBe('execute_tool restart_service');
    expect(tool?.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('restart refused') });
    expect(tool?.attributes['error.type']).toBe('tool_error');
    expect(tool?.events[0]?.attributes?.['exception.message']).toContain('restart refused');

    exporter.reset();
    server.injectFaults({ fault: { kind: 'throttling' }, times: Infinity });
    await expect(agent.run('again')).rejects.toMatchObject({ code: 'BEDROCK_RETRIES_EXHAUSTED' });
    const [run] = byName(exporter.getFinishedSpans(), 'invoke_agent');
    expect(run?.status.code).toBe(SpanStatusCode.ERROR);
    expect(run?.attributes['error.type']).toBe('BEDROCK_RETRIES_EXHAUSTED');
    const chats = byName(exporter.getFinishedSpans(), 'chat ');
    expect(chats.length).toBeGreaterThan(1);
    expect(chats.every((chat) => chat.status.code === SpanStatusCode.ERROR)).toBe(true);
  });

  it('an aborted run: the cancelled chat span ends with error.type aborted, the run span with stop reason aborted', async () => {
    const { exporter, provider } = inMemoryProvider();
    const server = await start({ script: INFRA_SCRIPT });
    server.injectFaults({ fault: { kind: 'latency', ms: 5_000 }, requests: [2] });
    const agent = agentOn(server);
    otelTracing({ tracerProvider: provider }).attach(agent);
    const controller = new AbortController();
    agent.events.on('model-request', (event) => {
      if (event.stepIndex === 1) setTimeout(() => controller.abort(), 30);
    });
    const result = await agent.run(INFRA_QUESTION, { signal: controller.signal });
    expect(result.stopReason).toBe('aborted');
    const spans = exporter.getFinishedSpans();
    const chats = byName(spans, 'chat ');
    expect(chats).toHaveLength(2);
    expect(chats[1]?.attributes['error.type']).toBe('aborted');
    expect(chats[1]?.status.code).toBe(SpanStatusCode.ERROR);
    const [run] = byName(spans, 'invoke_agent');
    expect(run?.attributes).toMatchObject({
      'novaloop.stop_reason': 'aborted',
      'gen_ai.response.finish_reasons': ['aborted'],
      'novaloop.steps': 1,
    });
    expect(byName(spans, 'execute_tool')).toHaveLength(1);
  });

  it('uses the registered global provider, nests under the caller span, and does nothing without one', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server);
    const tracing = otelTracing();
    tracing.attach(agent);
    // No provider registered: the run works and nothing is kept.
    expect((await agent.run(INFRA_QUESTION)).stopReason).toBe('end_turn');

    const { exporter, provider } = inMemoryProvider();
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const tracer = trace.getTracer('app');
    await tracer.startActiveSpan('handle-request', async (parent) => {
      await agent.run(INFRA_QUESTION);
      parent.end();
    });
    const spans = exporter.getFinishedSpans();
    const [run] = byName(spans, 'invoke_agent');
    const parent = spans.find((span) => span.name === 'handle-request');
    expect(run).toBeDefined();
    expect(spans).toHaveLength(1 + 1 + 3 + 2);
    expect(run?.spanContext().traceId).toBe(parent?.spanContext().traceId);
  });

  it('captureContent records tool arguments and results, redacted; no secret reaches any attribute or event', async () => {
    const { exporter, provider } = inMemoryProvider();
    const server = await start({ script: leakyScript });
    const agent = agentOn(server, { tools: [leakyTool] });
    otelTracing({ tracerProvider: provider, captureContent: true }).attach(agent);
    await agent.run('get the deploy credentials');
    const spans = exporter.getFinishedSpans();
    const [tool] = byName(spans, 'execute_tool');
    expect(JSON.parse(String(tool?.attributes['gen_ai.tool.call.arguments']))).toEqual({ user: 'ops', password: '[REDACTED]' });
    expect(String(tool?.attributes['gen_ai.tool.call.result'])).toContain('[REDACTED]');
    expectNoSecrets(
      JSON.stringify(spans.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status }))),
    );
  });
});
