import { describe, expect, it } from 'vitest';
import type { ConverseCall } from '@novaloop/bedrock-local';
import {
  Agent,
  cascade,
  costOf,
  InMemorySessionStore,
  modelInfo,
  RoutingConfigError,
  type ModelInvocationInput,
  type ModelInvocationOutput,
  type AgentEvent,
  type RoutingObservation,
  type RunResult,
  type TracePart,
} from '../src/index.js';
import { bodies, LOCAL_CREDENTIALS, NOVA_PRO, useBedrock } from './helpers.js';

const MICRO = 'us.amazon.nova-micro-v1:0';
const RULES = {
  classify: [
    { tool: 'route', match: 'outage|architecture|migrat', label: 'complex' },
    { tool: 'route', match: 'medium', label: 'medium' },
    { tool: 'route', label: 'simple' },
  ],
};
const microPro = (options: { timeoutMs?: number } = {}) =>
  cascade({ classifier: MICRO, routes: { simple: MICRO, complex: NOVA_PRO }, fallback: 'complex', ...options });

const isClassifierCall = (call: ConverseCall) => call.body.toolConfig?.toolChoice !== undefined;

describe('cascade routing', () => {
  const { start, agentOn } = useBedrock();

  it('classifies the run input on Micro with a forced enum tool, then runs every step on the chosen route', async () => {
    const server = await start({ script: RULES });
    const agent = agentOn(server, { model: microPro(), system: 'You are a support agent.' });
    const trace: TracePart[] = [];
    agent.events.on('trace', (part) => trace.push(part));
    const simple = await agent.run('What are your opening hours?');
    expect(server.requests.map((r) => r.modelId)).toEqual([MICRO, MICRO]);
    const classifier = bodies(server)[0] as Record<string, unknown>;
    expect(classifier.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: 'route',
            description: expect.any(String),
            inputSchema: {
              json: { type: 'object', properties: { route: { type: 'string', enum: ['simple', 'complex'] } }, required: ['route'] },
            },
          },
        },
      ],
      toolChoice: { tool: { name: 'route' } },
    });
    expect(classifier.messages).toEqual([{ role: 'user', content: [{ text: 'What are your opening hours?' }] }]);
    expect(classifier.inferenceConfig).toEqual({ maxTokens: 100, temperature: 0 });
    expect(bodies(server)[1]?.system).toEqual([{ text: 'You are a support agent.' }]);
    expect(simple.route).toMatchObject({ route: 'simple', modelId: MICRO, source: 'classifier', classifierModelId: MICRO });
    expect(simple.route?.reason).toBeUndefined();
    expect(simple.steps[0]?.modelId).toBe(MICRO);

    // The classifier's usage and cost count in the run's, and per model.
    const classifierUsage = server.requests[0]?.usage;
    expect(simple.route?.usage.inputTokens).toBe(classifierUsage?.inputTokens);
    expect(simple.usage.inputTokens).toBe((classifierUsage?.inputTokens ?? 0) + (server.requests[1]?.usage?.inputTokens ?? 0));
    expect(Object.keys(simple.usageByModel)).toEqual([MICRO]);
    expect(simple.usageByModel[MICRO]?.usage).toEqual(simple.usage);
    expect(simple.costUsd).toBe(costOf(simple.usage, modelInfo(MICRO).price));

    const complex = await agent.run('We have an outage in eu-west-1');
    expect(server.requests.slice(2).map((r) => r.modelId)).toEqual([MICRO, NOVA_PRO]);
    expect(complex.route).toMatchObject({ route: 'complex', modelId: NOVA_PRO, source: 'classifier' });
    expect(Object.keys(complex.usageByModel)).toEqual([MICRO, NOVA_PRO]);
    const micro = complex.usageByModel[MICRO];
    const pro = complex.usageByModel[NOVA_PRO];
    expect(micro?.costUsd).toBe(costOf(micro!.usage, modelInfo(MICRO).price));
    expect(pro?.costUsd).toBe(costOf(pro!.usage, modelInfo(NOVA_PRO).price));
    expect(complex.costUsd).toBeCloseTo((micro?.costUsd ?? 0) + (pro?.costUsd ?? 0), 15);
    expect(complex.usage.inputTokens).toBe((micro?.usage.inputTokens ?? 0) + (pro?.usage.inputTokens ?? 0));

    // The trace: the router's parts first, then the steps'.
    const complexTrace = trace.filter((part) => part.runId === complex.runId);
    const routing = complexTrace.filter((part) => 'routingClassifierTrace' in part.trace);
    expect(routing.map((part) => Object.keys((part.trace as { routingClassifierTrace: object }).routingClassifierTrace)[0])).toEqual([
      'modelInvocationInput',
      'modelInvocationOutput',
      'observation',
    ]);
    expect(complexTrace.indexOf(routing[2] as TracePart)).toBe(2);
    // Read as the union's members side by side: each part holds one of them.
    type Parts = {
      modelInvocationInput: ModelInvocationInput;
      modelInvocationOutput: ModelInvocationOutput;
      observation: RoutingObservation;
    };
    const [input, output, observation] = routing.map((part) => (part.trace as { routingClassifierTrace: Parts }).routingClassifierTrace);
    expect(input?.modelInvocationInput).toMatchObject({
      type: 'ROUTING_CLASSIFIER',
      foundationModel: MICRO,
      traceId: `${complex.runId}-routing`,
    });
    expect(JSON.parse(output?.modelInvocationOutput.rawResponse.content ?? 'null')).toMatchObject({
      content: [{ toolUse: { input: { route: 'complex' } } }],
    });
    expect(output?.modelInvocationOutput.metadata.usage.inputTokens).toBe(micro?.usage.inputTokens);
    expect(observation?.observation.routingDecision).toMatchObject({ route: 'complex', modelId: NOVA_PRO, costUsd: micro?.costUsd });
    expect(complex.trace).toEqual(complexTrace);
  });

  it('stream() routes in the same loop as run(): the route and its trace parts come before step 1, through the same deliver()', async () => {
    const server = await start({ script: RULES });
    const agent = agentOn(server, { model: microPro() });
    const heard: string[] = [];
    agent.events.on('route', (event) => heard.push(`route:${event.decision.route}`));
    agent.events.on('trace', (part) => {
      if ('routingClassifierTrace' in part.trace) heard.push(Object.keys(part.trace.routingClassifierTrace)[0] as string);
    });
    const events: AgentEvent[] = [];
    const stream = agent.stream('We have an outage in eu-west-1');
    let streamed: RunResult;
    for (;;) {
      const next = await stream.next();
      if (next.done) {
        streamed = next.value;
        break;
      }
      events.push(next.value);
    }
    const kinds = events.map((event) =>
      event.type === 'trace' && 'routingClassifierTrace' in event.part.trace
        ? `trace:${Object.keys(event.part.trace.routingClassifierTrace)[0]}`
        : event.type,
    );
    const route = kinds.indexOf('route');
    expect(route).toBeGreaterThan(0);
    expect(kinds.indexOf('trace:modelInvocationInput')).toBeLessThan(route);
    expect(kinds.indexOf('trace:observation')).toBeGreaterThan(route);
    expect(kinds.indexOf('step-start')).toBeGreaterThan(kinds.indexOf('trace:observation'));
    expect(events.find((event) => event.type === 'route')).toMatchObject({ decision: { route: 'complex', modelId: NOVA_PRO } });
    expect(streamed.route).toMatchObject({ route: 'complex', modelId: NOVA_PRO, source: 'classifier' });
    expect(streamed.steps[0]?.modelId).toBe(NOVA_PRO);

    const ran = await agent.run('We have an outage in eu-west-1');
    expect(server.requests.map((r) => r.modelId)).toEqual([MICRO, NOVA_PRO, MICRO, NOVA_PRO]);
    expect({ ...ran.route, latencyMs: 0 }).toEqual({ ...streamed.route, latencyMs: 0 });
    expect(ran.usageByModel).toEqual(streamed.usageByModel);
    expect(ran.costUsd).toBe(streamed.costUsd);
    // Listeners heard both runs' routing the same way.
    const once = ['modelInvocationInput', 'modelInvocationOutput', 'route:complex', 'observation'];
    expect(heard).toEqual([...once, ...once]);
  });

  it('takes the fallback, and says why, when the classifier answers outside the routes', async () => {
    const server = await start({ script: RULES });
    const agent = agentOn(server, { model: microPro() });
    const result = await agent.run('a medium question');
    expect(result.route).toMatchObject({ route: 'complex', modelId: NOVA_PRO, source: 'fallback' });
    expect(result.route?.reason).toMatch(/answered \{"route":"medium"\}, which is not one of the routes/);
    expect(server.requests.map((r) => r.modelId)).toEqual([MICRO, NOVA_PRO]);
    const observation = result.trace.find(
      (part) => 'routingClassifierTrace' in part.trace && 'observation' in part.trace.routingClassifierTrace,
    );
    expect(JSON.stringify(observation)).toContain('not one of the routes');
  });

  it('takes the fallback when the classifier still fails after the retry policy', async () => {
    const server = await start({ script: RULES });
    server.injectFaults({ fault: { kind: 'internal-error' }, model: 'amazon.nova-micro-v1:0', times: 3 });
    const agent = agentOn(server, { model: microPro(), retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    const result = await agent.run('What are your hours?');
    expect(server.requests.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(result.route).toMatchObject({ route: 'complex', source: 'fallback' });
    expect(result.route?.reason).toMatch(/the classifier failed: BEDROCK_RETRIES_EXHAUSTED: Bedrock InternalServerException/);
    expect(result.stopReason).toBe('end_turn');
  });

  it("repairs a classifier's broken tool call with a greedy re-ask, outside the steps' trace", async () => {
    const server = await start({ script: RULES });
    server.injectFaults({ fault: { kind: 'model-error' }, requests: [1] });
    const agent = agentOn(server, { model: microPro() });
    const result = await agent.run('We have an outage');
    expect(server.requests.map((r) => [r.modelId, r.status])).toEqual([
      [MICRO, 424],
      [MICRO, 200],
      [NOVA_PRO, 200],
    ]);
    expect(result.route).toMatchObject({ route: 'complex', source: 'classifier' });
    expect(JSON.stringify(result.trace)).not.toContain('REPROMPT');
    expect(result.steps[0]?.attempts).toBe(1);
  });

  it('takes the fallback when the classifier is slower than timeoutMs', async () => {
    const server = await start({
      responder: async (call) => {
        if (isClassifierCall(call)) await new Promise((resolve) => setTimeout(resolve, 1_000));
        return { content: [{ text: 'answered' }] };
      },
    });
    const agent = agentOn(server, { model: microPro({ timeoutMs: 100 }) });
    const started = performance.now();
    const result = await agent.run('What are your hours?');
    expect(performance.now() - started).toBeLessThan(900);
    expect(result.route).toMatchObject({ route: 'complex', source: 'fallback', reason: 'the classifier did not answer within 100 ms' });
    expect(result.text).toBe('answered');
  });

  it('an abort while classifying ends the run as aborted, with no step', async () => {
    const server = await start({ script: RULES, latencyMs: 1_000 });
    const agent = agentOn(server, { model: microPro({ timeoutMs: 5_000 }) });
    const result = await agent.run('What are your hours?', { signal: AbortSignal.timeout(100) });
    expect(result.stopReason).toBe('aborted');
    expect(result.steps).toEqual([]);
    expect(result.route).toBeUndefined();
  });

  it('routes by a rule function; a name that is not a route, or a throw, takes the fallback', async () => {
    const server = await start();
    const seen: unknown[] = [];
    const agent = agentOn(server, {
      model: cascade({
        routes: { simple: MICRO, complex: NOVA_PRO },
        fallback: 'simple',
        route: async (input, ctx) => {
          seen.push([input, typeof ctx.runId, ctx.signal instanceof AbortSignal]);
          if (input === 'boom') throw new Error('rule broke');
          return input === 'odd' ? ('other' as 'simple') : String(input).length > 20 ? 'complex' : 'simple';
        },
      }),
    });
    expect((await agent.run('a long question about our architecture')).route).toMatchObject({
      route: 'complex',
      source: 'rule',
      costUsd: 0,
    });
    expect((await agent.run('short')).route).toMatchObject({ route: 'simple', source: 'rule' });
    expect((await agent.run('odd')).route).toMatchObject({ source: 'fallback', reason: expect.stringMatching(/returned "other"/) });
    expect((await agent.run('boom')).route).toMatchObject({ source: 'fallback', reason: 'the route function threw: rule broke' });
    expect(server.requests.map((r) => r.modelId)).toEqual([NOVA_PRO, MICRO, MICRO, MICRO]);
    expect(seen[0]).toEqual(['a long question about our architecture', 'string', true]);
  });

  it("counts the classifier's cost towards maxCostUsd: a budget it exhausts ends the run before any step", async () => {
    const server = await start({ script: RULES });
    const agent = agentOn(server, { model: microPro(), maxCostUsd: 1e-9 });
    const result = await agent.run('What are your hours?');
    expect(result.stopReason).toBe('budget');
    expect(result.steps).toEqual([]);
    expect(result.route?.route).toBe('simple');
    expect(result.costUsd).toBe(result.route?.costUsd);
    expect(server.requests).toHaveLength(1);
  });

  it('a session started on Micro continues on Pro with its whole history', async () => {
    const server = await start({ script: RULES });
    const memory = new InMemorySessionStore();
    const agent = agentOn(server, { model: microPro(), memory });
    const first = await agent.run('What are your hours?', { sessionId: 'customer-7' });
    expect(first.route?.modelId).toBe(MICRO);
    const second = await agent.run('Now plan our database migration', { sessionId: 'customer-7' });
    expect(second.route?.modelId).toBe(NOVA_PRO);
    const proRequest = bodies(server)[3];
    expect(server.requests[3]?.modelId).toBe(NOVA_PRO);
    expect(server.requests[3]?.status).toBe(200);
    expect(proRequest?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(proRequest?.messages[1]).toEqual(first.messages[1]);
    // The classifier sees only the new input.
    expect(bodies(server)[2]?.messages).toEqual([{ role: 'user', content: [{ text: 'Now plan our database migration' }] }]);
    expect((await memory.load('customer-7'))?.messages).toHaveLength(4);
  });

  it('rejects a cascade that cannot route, at construction', () => {
    const routes = { simple: MICRO, complex: NOVA_PRO };
    expect(() => cascade({ classifier: MICRO, routes, fallback: 'medium' as 'simple' })).toThrow(RoutingConfigError);
    expect(() => cascade({ classifier: MICRO, routes, fallback: 'medium' as 'simple' })).toThrow(
      /fallback "medium" is not a route; use one of simple, complex/,
    );
    expect(() => cascade({ classifier: MICRO, routes: {}, fallback: '' as never })).toThrow(/at least one route/);
    expect(() => cascade({ classifier: 'us.amazon.nova-micro', routes, fallback: 'simple' })).toThrow(
      /classifier: .*did you mean us.amazon.nova-micro-v1:0/,
    );
    expect(() => cascade({ classifier: 'nova micro', routes, fallback: 'simple' })).toThrow(RoutingConfigError);
    expect(() => cascade({ classifier: MICRO, routes: { simple: 'amazon.nova-pro' }, fallback: 'simple' })).toThrow(/routes.simple/);
    expect(() => cascade({ classifier: MICRO, routes: { 'a b': MICRO }, fallback: 'a b' })).toThrow(/route name "a b"/);
    expect(() => cascade({ classifier: MICRO, routes, fallback: 'simple', timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => cascade({ routes, fallback: 'simple' } as never)).toThrow(/exactly one of `classifier`/);
    expect(() => cascade({ classifier: MICRO, route: () => 'simple', routes, fallback: 'simple' } as never)).toThrow(/exactly one/);
    try {
      cascade({ classifier: MICRO, routes, fallback: 'x' as 'simple' });
    } catch (error) {
      expect(error).toMatchObject({ code: 'ROUTING_CONFIG' });
    }
    expect(() => new Agent({ model: microPro(), price: { inputPer1M: 1, outputPer1M: 1 } })).toThrow(
      /with a cascade, pass each model's price in `prices`/,
    );
    // A budget needs every model a run may call to be priced.
    const unpriced = cascade({ classifier: MICRO, routes: { simple: MICRO, other: 'anthropic.claude-x-v1:0' }, fallback: 'simple' });
    const clientConfig = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
    expect(() => new Agent({ model: unpriced, maxCostUsd: 1, clientConfig })).toThrow(/No price is known for anthropic.claude-x-v1:0/);
    expect(
      () =>
        new Agent({
          model: unpriced,
          maxCostUsd: 1,
          clientConfig,
          prices: { 'anthropic.claude-x-v1:0': { inputPer1M: 1, outputPer1M: 1 } },
        }),
    ).not.toThrow();
  });
});
