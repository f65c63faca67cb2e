import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod3';
import { tool, ToolDefinitionError, type AgentEvent, type OrchestrationTrace, type TracePart } from '../src/index.js';
import { bodies, INFRA_QUESTION, INFRA_SCRIPT, infraTools, NOVA_PRO, say, useBedrock, useTool } from './helpers.js';

/** `[kind, type?]` for each part: the shape of the trace at a glance. */
const outline = (parts: TracePart[]) =>
  parts.map((p) => {
    if ('failureTrace' in p.trace) return ['failureTrace'];
    if ('routingClassifierTrace' in p.trace) return ['routingClassifierTrace', Object.keys(p.trace.routingClassifierTrace)[0]];
    const [kind, value] = Object.entries(p.trace.orchestrationTrace)[0] as [string, { invocationType?: string; type?: string }];
    return kind === 'invocationInput' ? [kind, value.invocationType] : kind === 'observation' ? [kind, value.type] : [kind];
  });

describe('Bedrock-Agents-shaped traces', () => {
  const { start, agentOn } = useBedrock();
  afterEach(() => vi.restoreAllMocks());

  it('emits the parts of every step in Bedrock Agents order, with traceId runId-step', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { system: 'Be brief.', tools: infraTools });
    const heard: TracePart[] = [];
    agent.events.on('trace', (part) => heard.push(part));
    const result = await agent.run(INFRA_QUESTION, { sessionId: 'ops-1' });

    expect(heard).toEqual(result.trace);
    const toolStep = [
      ['modelInvocationInput'],
      ['modelInvocationOutput'],
      ['rationale'],
      ['invocationInput', 'ACTION_GROUP'],
      ['observation', 'ACTION_GROUP'],
    ];
    expect(outline(heard)).toEqual([
      ...toolStep,
      ...toolStep,
      ['modelInvocationInput'],
      ['modelInvocationOutput'],
      ['invocationInput', 'FINISH'],
      ['observation', 'FINISH'],
    ]);
    for (const part of heard) {
      expect(part.runId).toBe(result.runId);
      expect(part.sessionId).toBe('ops-1');
      expect(part.eventTime).toBeInstanceOf(Date);
    }
    const orchestration = heard.map((p) => ('orchestrationTrace' in p.trace ? p.trace.orchestrationTrace : undefined));
    const traceIds = orchestration.map((o) => (o ? (Object.values(o)[0] as { traceId: string }).traceId : ''));
    expect(new Set(traceIds)).toEqual(new Set([`${result.runId}-0`, `${result.runId}-1`, `${result.runId}-2`]));

    const input = orchestration[5] as Extract<(typeof orchestration)[number], { modelInvocationInput: unknown }>;
    expect(input.modelInvocationInput).toEqual({
      traceId: `${result.runId}-1`,
      type: 'ORCHESTRATION',
      foundationModel: NOVA_PRO,
      inferenceConfiguration: { temperature: 0, topK: 1 },
      messages: { count: 3, sizeBytes: Buffer.byteLength(JSON.stringify(bodies(server)[1]?.messages)) },
      attempt: 1,
    });
    const output = orchestration[6] as Extract<(typeof orchestration)[number], { modelInvocationOutput: unknown }>;
    expect(JSON.parse(output.modelInvocationOutput.rawResponse.content)).toEqual(result.steps[1]?.message);
    expect(output.modelInvocationOutput.metadata.usage).toEqual(result.steps[1]?.usage);
    expect(output.modelInvocationOutput.metadata.totalTimeMs).toBeGreaterThanOrEqual(0);
    expect(output.modelInvocationOutput.stopReason).toBe('tool_use');
    expect(orchestration[8]).toEqual({
      invocationInput: {
        traceId: `${result.runId}-1`,
        invocationType: 'ACTION_GROUP',
        actionGroupInvocationInput: {
          function: 'get_service_status',
          invocationId: result.steps[1]?.toolCalls[0]?.toolUseId,
          parameters: [{ name: 'service_name', type: 'string', value: 'payments-api' }],
          input: { service_name: 'payments-api' },
          executionType: 'LAMBDA',
        },
      },
    });
    const observation = orchestration[9] as Extract<(typeof orchestration)[number], { observation: unknown }>;
    if (observation.observation.type !== 'ACTION_GROUP') throw new Error('expected an ACTION_GROUP observation');
    expect(JSON.parse(observation.observation.actionGroupInvocationOutput.text)).toEqual({
      service: 'payments-api',
      status: 'degraded',
      running: 2,
      desired: 4,
    });
    expect(orchestration.at(-1)).toEqual({
      observation: { traceId: `${result.runId}-2`, type: 'FINISH', finalResponse: { text: result.text } },
    });
  });

  it('stream() hands out the same parts, ready, placed around their events (FINISH before step-end)', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { tools: infraTools });
    const events: AgentEvent[] = [];
    const stream = agent.stream(INFRA_QUESTION);
    let next = await stream.next();
    for (; !next.done; next = await stream.next()) events.push(next.value);
    const parts = events.flatMap((e) => (e.type === 'trace' ? [e.part] : []));
    // Ready when handed out: plain own data properties, nothing computed on read.
    expect(JSON.parse(JSON.stringify(parts))).toEqual(JSON.parse(JSON.stringify(next.value.trace)));
    expect(parts).toEqual(next.value.trace);
    const input = parts.find((p) => 'orchestrationTrace' in p.trace && 'modelInvocationInput' in p.trace.orchestrationTrace);
    expect(Object.getOwnPropertyDescriptor(input?.trace, 'orchestrationTrace')).toHaveProperty('value');
    const lastStepEnd = events.findLastIndex((e) => e.type === 'step-end');
    expect(outline(parts.slice(-2))).toEqual([
      ['invocationInput', 'FINISH'],
      ['observation', 'FINISH'],
    ]);
    const finish = events.findLastIndex((e) => e.type === 'trace');
    expect(finish).toBe(lastStepEnd - 1);
    const toolStart = events.findIndex((e) => e.type === 'tool-start');
    expect(events[toolStart + 1]).toMatchObject({ type: 'trace', part: { trace: { orchestrationTrace: { invocationInput: {} } } } });
  });

  it('a failed run ends with a failureTrace and an error event', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    server.injectFaults({ fault: { kind: 'throttling' }, times: Infinity });
    const agent = agentOn(server, { tools: infraTools, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    const errors: AgentEvent[] = [];
    const parts: TracePart[] = [];
    agent.events.on('error', (event) => errors.push(event));
    agent.events.on('trace', (part) => parts.push(part));
    await expect(agent.run(INFRA_QUESTION)).rejects.toMatchObject({ code: 'BEDROCK_RETRIES_EXHAUSTED' });
    expect(errors).toHaveLength(1);
    const last = parts.at(-1);
    expect(last?.trace).toEqual({
      failureTrace: {
        traceId: `${last?.runId}-0`,
        failureReason: expect.stringMatching(/ThrottlingException/),
        // Agents' failureCode is a number: the HTTP status of the failed request; novaloop's code beside it.
        failureCode: 429,
        errorCode: 'BEDROCK_RETRIES_EXHAUSTED',
      },
    });
  });

  it('serialises nothing for traces when nobody listens, and does when someone reads them', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { tools: infraTools });
    const stringify = vi.spyOn(JSON, 'stringify');
    const result = await agent.run(INFRA_QUESTION);
    const toolOutputs = result.steps.flatMap((s) => s.toolCalls.flatMap((c) => c.content.map((block) => block.json ?? block)));
    const ours = new Set<unknown>([...result.messages, ...toolOutputs]);
    expect(ours.size).toBe(8);
    const tracedCalls = () => stringify.mock.calls.filter(([value]) => ours.has(value)).length;
    expect(tracedCalls()).toBe(0);

    // Reading a part computes its fields once, from the same objects.
    const serialised = JSON.stringify(result.trace);
    expect(serialised).toContain('"sizeBytes"');
    expect(serialised).toContain('"rawResponse":{"content":"{\\"role\\":\\"assistant\\"');
    expect(tracedCalls()).toBeGreaterThan(0);
  });

  it('a tool with traceAs KNOWLEDGE_BASE is traced as an Agents knowledge-base lookup, and as a tool call when it fails', async () => {
    const reference = {
      content: { type: 'TEXT', text: 'Rotate keys every 90 days.' },
      location: { type: 'S3', s3Location: { uri: 's3://docs/security.md' } },
      metadata: { score: 0.92 },
    };
    const searchDocs = tool({
      name: 'search_docs',
      description: 'Search the security handbook',
      input: z.object({ query: z.string() }),
      traceAs: { type: 'KNOWLEDGE_BASE', knowledgeBaseId: 'KB12345678' },
      run: ({ query }) => (query === 'fail' ? Promise.reject(new Error('index offline')) : { retrievedReferences: [reference] }),
    });
    // zod 3 schemas take the option the same way.
    const searchOld = tool({
      name: 'search_old',
      description: 'Search the old handbook',
      input: z3.object({ query: z3.string() }),
      traceAs: { type: 'KNOWLEDGE_BASE', knowledgeBaseId: 'KB0LD' },
      run: () => ({ matches: 0 }),
    });
    const server = await start({
      script: {
        turns: [
          { content: [useTool('search_docs', { query: 'key rotation' }).content[0]!, useTool('search_old', { query: 'x' }).content[0]!] },
          useTool('search_docs', { query: 'fail' }),
          say('Every 90 days.'),
        ],
      },
    });
    const agent = agentOn(server, { tools: [searchDocs, searchOld] });
    const result = await agent.run('How often do we rotate keys?');
    const entries = result.trace.flatMap((p) => ('orchestrationTrace' in p.trace ? [p.trace.orchestrationTrace] : []));
    const inputs = entries.flatMap((o: OrchestrationTrace) => ('invocationInput' in o ? [o.invocationInput] : []));
    const observations = entries.flatMap((o: OrchestrationTrace) => ('observation' in o ? [o.observation] : []));
    const [first, old, failed] = result.steps.flatMap((step) => step.toolCalls);

    expect(inputs[0]).toEqual({
      traceId: `${result.runId}-0`,
      invocationType: 'KNOWLEDGE_BASE',
      knowledgeBaseLookupInput: { text: 'key rotation', knowledgeBaseId: 'KB12345678' },
      function: 'search_docs',
      invocationId: first?.toolUseId,
    });
    expect(observations[0]).toEqual({
      traceId: `${result.runId}-0`,
      type: 'KNOWLEDGE_BASE',
      knowledgeBaseLookupOutput: { retrievedReferences: [reference] },
      invocationId: first?.toolUseId,
    });
    // An output without retrievedReferences, and an error, fall back to the ACTION_GROUP observation.
    expect(inputs[1]).toMatchObject({
      invocationType: 'KNOWLEDGE_BASE',
      knowledgeBaseLookupInput: { text: 'x', knowledgeBaseId: 'KB0LD' },
    });
    expect(observations[1]).toMatchObject({
      type: 'ACTION_GROUP',
      actionGroupInvocationOutput: { function: 'search_old', invocationId: old?.toolUseId, status: 'success', text: '{"matches":0}' },
    });
    expect(inputs[2]).toMatchObject({ invocationType: 'KNOWLEDGE_BASE', knowledgeBaseLookupInput: { text: 'fail' } });
    expect(observations[2]).toMatchObject({
      type: 'ACTION_GROUP',
      actionGroupInvocationOutput: { invocationId: failed?.toolUseId, status: 'error', text: 'Tool search_docs failed: index offline' },
    });

    expect(() =>
      tool({
        name: 'bad_kb',
        description: 'x',
        input: z.object({ query: z.string() }),
        traceAs: { type: 'KNOWLEDGE_BASE', knowledgeBaseId: '' },
        run: () => 1,
      }),
    ).toThrow(ToolDefinitionError);
  });
});
