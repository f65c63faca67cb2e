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
import {
  BILLING_MODEL,
  collaboratorPause,
  INFRA_MODEL,
  MICRO,
  multiAgent,
  nestedCollaborators,
  pausingCascade,
  SUPERVISOR_MODEL,
  SUPPORT_QUESTION,
} from './scenarios.js';

function inMemoryProvider() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const byName = (spans: ReadableSpan[], prefix: string) => spans.filter((span) => span.name.startsWith(prefix));

describe('OpenTelemetry GenAI spans', () => {
  const kit = useKit();
  const { start, agentOn } = kit;
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

  it("collaborators: each one's invoke_agent span is a child of the supervisor's execute_tool span that called it", async () => {
    const { exporter, provider } = inMemoryProvider();
    const { supervisor } = await multiAgent(kit);
    otelTracing({ tracerProvider: provider, agentName: 'supervisor' }).attach(supervisor);
    const result = await supervisor.run(SUPPORT_QUESTION, { sessionId: 'customer-7' });
    const spans = exporter.getFinishedSpans();
    const [root] = byName(spans, 'invoke_agent supervisor');
    const traceId = root!.spanContext().traceId;
    expect(spans.every((span) => span.spanContext().traceId === traceId)).toBe(true);
    const ms = (time: [number, number]) => time[0] * 1e3 + time[1] / 1e6;

    for (const [name, model, tool, toolInput] of [
      ['billing', BILLING_MODEL, 'get_invoice', 'INV-1042'],
      ['infrastructure', INFRA_MODEL, 'get_service_status', 'payments-api'],
    ] as const) {
      const [call] = byName(spans, `execute_tool ${name}`);
      expect(parentOf(call!)).toBe(root!.spanContext().spanId);
      const [agent] = byName(spans, `invoke_agent ${name}`);
      expect(parentOf(agent!)).toBe(call!.spanContext().spanId);
      const usage = result.usageByModel[model]!.usage;
      expect(agent?.attributes).toMatchObject({
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': name,
        'gen_ai.provider.name': 'aws.bedrock',
        'gen_ai.request.model': model,
        'gen_ai.conversation.id': `customer-7:${name}`,
        'novaloop.parent_run_id': result.runId,
        'gen_ai.usage.input_tokens': usage.inputTokens,
        'gen_ai.usage.output_tokens': usage.outputTokens,
      });
      // Inside the call that started it.
      expect(ms(agent!.startTime)).toBeGreaterThanOrEqual(ms(call!.startTime) - 1);
      expect(ms(agent!.endTime)).toBeLessThanOrEqual(ms(call!.endTime) + 1);
      const chats = spans.filter((span) => parentOf(span) === agent!.spanContext().spanId && span.name === `chat ${model}`);
      expect(chats.map((chat) => chat.attributes['novaloop.step'])).toEqual([0, 1]);
      expect(chats.map((chat) => chat.attributes['gen_ai.response.finish_reasons'])).toEqual([['tool_use'], ['end_turn']]);
      const [own] = byName(spans, `execute_tool ${tool}`);
      expect(parentOf(own!)).toBe(agent!.spanContext().spanId);
      expect(own?.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
      expect(own?.attributes).toMatchObject({ 'gen_ai.tool.name': tool, 'gen_ai.operation.name': 'execute_tool' });
      expect(JSON.stringify(own?.attributes)).not.toContain(toolInput);
    }
    expect(JSON.parse(String(root?.attributes['novaloop.usage_by_model']))).toEqual(
      Object.fromEntries(
        Object.entries(result.usageByModel).map(([model, { usage, costUsd }]) => [
          model,
          { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cost_usd: costUsd },
        ]),
      ),
    );
    expect(byName(spans, 'invoke_agent')).toHaveLength(3);
    expect(byName(spans, `chat ${SUPERVISOR_MODEL}`)).toHaveLength(2);
  });

  it("a collaborator's collaborator nests one level deeper, under the call that started it", async () => {
    const { exporter, provider } = inMemoryProvider();
    const { supervisor } = await nestedCollaborators(kit);
    otelTracing({ tracerProvider: provider }).attach(supervisor);
    const result = await supervisor.run('When was INV-1042 paid?');
    expect(result.text).toBe('It was paid on 2 May.');
    const spans = exporter.getFinishedSpans();
    const one = (name: string) => {
      const found = spans.filter((span) => span.name === name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    const chain = [
      'invoke_agent',
      'execute_tool research',
      'invoke_agent research',
      'execute_tool lookup',
      'invoke_agent lookup',
      `chat ${INFRA_MODEL}`,
    ];
    for (let i = 1; i < chain.length; i++) expect(parentOf(one(chain[i]!)), chain[i]).toBe(one(chain[i - 1]!).spanContext().spanId);
    expect(one('invoke_agent lookup').attributes['novaloop.parent_run_id']).toBe(
      one('invoke_agent research').attributes['novaloop.run_id'],
    );
  });

  it("a pause inside a collaborator: the waiting call is no error, and the resumed run's call holds billing's continuation", async () => {
    const { exporter, provider } = inMemoryProvider();
    const { supervisor } = await collaboratorPause(kit);
    otelTracing({ tracerProvider: provider }).attach(supervisor);
    const paused = await supervisor.run('Restart prod-api', { sessionId: 'ops-3' });
    await supervisor.resume(paused.sessionId, [{ toolUseId: paused.pending[0]!.toolUseId, approve: true }]);
    const spans = exporter.getFinishedSpans();
    const runs = spans.filter((span) => span.name === 'invoke_agent');
    expect(runs).toHaveLength(2);
    const [waited, resumed] = byName(spans, 'execute_tool billing');
    expect(parentOf(waited!)).toBe(runs[0]!.spanContext().spanId);
    expect(waited?.status.code).toBe(SpanStatusCode.UNSET);
    expect(waited?.attributes['novaloop.paused']).toBe(true);
    expect(runs[0]?.events[0]?.attributes?.['novaloop.pause.call_path']).toEqual(['billing/restart_service']);
    expect(parentOf(resumed!)).toBe(runs[1]!.spanContext().spanId);
    expect(resumed?.attributes).toMatchObject({
      'novaloop.resumed': true,
      'gen_ai.tool.call.id': waited?.attributes['gen_ai.tool.call.id'],
    });
    // billing's run, before and after: each part under the supervisor's call of its run.
    const billingRuns = byName(spans, 'invoke_agent billing');
    expect(billingRuns.map((span) => parentOf(span))).toEqual([waited!.spanContext().spanId, resumed!.spanContext().spanId]);
    const under = (span: (typeof spans)[number]) =>
      spans.filter((child) => parentOf(child) === span.spanContext().spanId).map((child) => child.name);
    expect(under(billingRuns[0]!)).toEqual([`chat ${BILLING_MODEL}`, 'execute_tool restart_service']);
    expect(under(billingRuns[1]!)).toEqual(['execute_tool restart_service', `chat ${BILLING_MODEL}`]);
  });

  it("a failing collaborator: its invoke_agent span and the supervisor's call are ERROR", async () => {
    const { exporter, provider } = inMemoryProvider();
    const { server, supervisor } = await multiAgent(kit);
    server.injectFaults({ fault: { kind: 'throttling' }, times: Infinity, model: INFRA_MODEL });
    otelTracing({ tracerProvider: provider }).attach(supervisor);
    await supervisor.run(SUPPORT_QUESTION);
    const spans = exporter.getFinishedSpans();
    const [call] = byName(spans, 'execute_tool infrastructure');
    const [agent] = byName(spans, 'invoke_agent infrastructure');
    expect(parentOf(agent!)).toBe(call!.spanContext().spanId);
    expect(agent?.status.code).toBe(SpanStatusCode.ERROR);
    expect(agent?.attributes['error.type']).toBe('BEDROCK_RETRIES_EXHAUSTED');
    expect(call?.status.code).toBe(SpanStatusCode.ERROR);
    expect(byName(spans, 'invoke_agent billing')[0]?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a cascade that pauses twice: a route span before step 1, pause and resume events, resumed spans linked to the paused one', async () => {
    const { exporter, provider } = inMemoryProvider();
    const scenario = await pausingCascade(kit);
    otelTracing({ tracerProvider: provider }).attach(scenario.agent);
    const first = await scenario.start('order-a17');
    const [second, third] = await scenario.finish(first);
    const spans = exporter.getFinishedSpans();

    const runs = byName(spans, 'invoke_agent');
    expect(runs).toHaveLength(3);
    expect(runs.map((run) => run.attributes['novaloop.run_id'])).toEqual([first.runId, first.runId, first.runId]);
    expect(runs.map((run) => run.attributes['novaloop.stop_reason'])).toEqual(['return_control', 'needs_approval', 'end_turn']);

    const [route] = byName(spans, 'route');
    expect(parentOf(route!)).toBe(runs[0]!.spanContext().spanId);
    expect(route?.attributes).toMatchObject({
      'gen_ai.operation.name': 'route',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': MICRO,
      'novaloop.route': 'complex',
      'novaloop.route.model': NOVA_PRO,
      'novaloop.route.source': 'classifier',
      'gen_ai.usage.input_tokens': first.route!.usage.inputTokens,
      'gen_ai.usage.output_tokens': first.route!.usage.outputTokens,
      'novaloop.cost_usd': first.route!.costUsd,
      'novaloop.latency_ms': first.route!.latencyMs,
    });
    const classifier = spans.find((span) => parentOf(span) === route!.spanContext().spanId);
    expect(classifier?.name).toBe(`chat ${MICRO}`);
    expect(classifier?.attributes['novaloop.purpose']).toBe('routing');
    const firstStep = spans.find((span) => span.name === `chat ${NOVA_PRO}` && span.attributes['novaloop.step'] === 0);
    const ms = (time: [number, number]) => time[0] * 1e3 + time[1] / 1e6;
    expect(ms(firstStep!.startTime)).toBeGreaterThanOrEqual(ms(route!.endTime) - 1);

    const lookup = first.pending[0]!;
    const refund = second!.pending[0]!;
    expect(runs[0]?.events.map((event) => [event.name, event.attributes])).toEqual([
      [
        'novaloop.pause',
        {
          'novaloop.invocation_id': lookup.invocationId,
          'novaloop.stop_reason': 'return_control',
          'novaloop.step': 0,
          'gen_ai.tool.name': ['lookup_order'],
          'gen_ai.tool.call.id': [lookup.toolUseId],
          'novaloop.pause.kind': ['return_control'],
          'novaloop.pause.call_path': ['lookup_order'],
        },
      ],
    ]);
    expect(runs[1]?.attributes['novaloop.resumes']).toBe(lookup.invocationId);
    expect(runs[1]?.links.map((link) => link.context.spanId)).toEqual([runs[0]!.spanContext().spanId]);
    expect(runs[1]?.events.map((event) => event.name)).toEqual(['novaloop.resume', 'novaloop.pause']);
    expect(runs[1]?.events[1]?.attributes).toMatchObject({
      'novaloop.invocation_id': refund.invocationId,
      'novaloop.pause.kind': ['approval'],
    });
    expect(runs[2]?.links.map((link) => link.context.spanId)).toEqual([runs[1]!.spanContext().spanId]);
    expect(runs[2]?.attributes['novaloop.usage_by_model']).toBe(
      JSON.stringify({
        [NOVA_PRO]: { input_tokens: third!.usage.inputTokens, output_tokens: third!.usage.outputTokens, cost_usd: third!.costUsd },
      }),
    );

    // The application's answer is a tool span of the resumed run; the approved call runs in the last one.
    const [answered] = byName(spans, 'execute_tool lookup_order');
    expect(parentOf(answered!)).toBe(runs[1]!.spanContext().spanId);
    expect(answered?.attributes).toMatchObject({ 'novaloop.execution_type': 'RETURN_CONTROL', 'novaloop.step': 0 });
    const [approved] = byName(spans, 'execute_tool refund_order');
    expect(parentOf(approved!)).toBe(runs[2]!.spanContext().spanId);
    expect(approved?.attributes).toMatchObject({ 'novaloop.approved': true, 'novaloop.step': 1 });
    // Step numbers go on across the resumes.
    expect(byName(spans, `chat ${NOVA_PRO}`).map((chat) => chat.attributes['novaloop.step'])).toEqual([0, 1, 2]);
  });

  it("a cascade whose classifier fails: the route span says fallback and why, the classifier's attempts are ERROR inside it", async () => {
    const { exporter, provider } = inMemoryProvider();
    const server = await start({ script: { turns: [say('On it.')] } });
    server.injectFaults({ fault: { kind: 'throttling' }, times: Infinity, model: MICRO });
    const agent = agentOn(server, {
      model: cascade({ classifier: MICRO, routes: { simple: MICRO, complex: NOVA_PRO }, fallback: 'complex' }),
      tools: [],
    });
    otelTracing({ tracerProvider: provider }).attach(agent);
    const result = await agent.run('an outage');
    expect(result.route?.source).toBe('fallback');
    const spans = exporter.getFinishedSpans();
    const [route] = byName(spans, 'route');
    expect(route?.attributes).toMatchObject({
      'novaloop.route': 'complex',
      'novaloop.route.model': NOVA_PRO,
      'novaloop.route.source': 'fallback',
      'novaloop.route.fallback_reason': expect.stringContaining('the classifier failed: BEDROCK_RETRIES_EXHAUSTED'),
    });
    const attempts = spans.filter((span) => parentOf(span) === route?.spanContext().spanId);
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts.every((span) => span.name === `chat ${MICRO}` && span.status.code === SpanStatusCode.ERROR)).toBe(true);
    const [run] = byName(spans, 'invoke_agent');
    expect(run?.status.code).toBe(SpanStatusCode.UNSET);
    expect(run?.attributes).toMatchObject({ 'novaloop.route.source': 'fallback', 'gen_ai.request.model': NOVA_PRO });
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
    // The classifier's call is inside the route span, the step's is not.
    const [route] = byName(spans, 'route');
    expect(byName(spans, 'chat').map((span) => parentOf(span) === route?.spanContext().spanId)).toEqual([true, false]);
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
