import type { ConverseCall } from '@novaloop/bedrock-local';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod3';
import { tool, type Agent, type TracePart } from '../src/index.js';
import { bodies, NOVA_PRO, say, useBedrock, useTool } from './helpers.js';

const NOVA_LITE = 'us.amazon.nova-lite-v1:0';

/** The supervisor (Pro) asks billing (Lite) once, then answers with what billing said. */
function supervisorThenBilling(call: ConverseCall) {
  if (call.modelId === NOVA_LITE) return say(`Billing answer ${call.turnIndex + 1}: the March invoice total is $42.`);
  const last = (call.body as { messages: { content: { toolResult?: unknown }[] }[] }).messages.at(-1);
  const answered = last?.content.some((block) => block.toolResult !== undefined);
  return answered ? say('Billing says $42.') : useTool('billing', { request: 'What is the March invoice total?' });
}

const orchestration = (part: TracePart) => ('orchestrationTrace' in part.trace ? part.trace.orchestrationTrace : undefined);

describe('agent.asTool(): an agent as a collaborator of another', () => {
  const { start, agentOn } = useBedrock();

  function team(server: Awaited<ReturnType<typeof start>>, supervisor: Parameters<typeof agentOn>[1] = {}) {
    const billing = agentOn(server, { model: NOVA_LITE, system: 'You answer billing questions.' });
    const tools = [billing.asTool({ name: 'billing', description: 'Answers questions about invoices and charges' })];
    return { billing, supervisor: agentOn(server, { system: 'You route questions.', tools, ...supervisor }) };
  }

  it('runs the collaborator with its own prompt and model; its answer is the tool result', async () => {
    const server = await start({ responder: supervisorThenBilling });
    const { supervisor } = team(server);
    const result = await supervisor.run('How much was March?', { sessionId: 'acct-7' });

    expect(result.text).toBe('Billing says $42.');
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({
      name: 'billing',
      status: 'success',
      content: [{ text: 'Billing answer 1: the March invoice total is $42.' }],
    });
    const billingCall = server.requests.find((request) => request.modelId === NOVA_LITE)?.body as { system: unknown; messages: unknown };
    expect(billingCall.system).toEqual([{ text: 'You answer billing questions.' }]);
    expect(billingCall.messages).toEqual([{ role: 'user', content: [{ text: 'What is the March invoice total?' }] }]);
  });

  it("rolls every agent's usage and cost up into the supervisor's result, by model", async () => {
    const server = await start({ responder: supervisorThenBilling });
    const { supervisor } = team(server);
    const result = await supervisor.run('How much was March?');
    const lite = server.requests.filter((request) => request.modelId === NOVA_LITE).map((request) => request.usage);
    const pro = server.requests.filter((request) => request.modelId === NOVA_PRO).map((request) => request.usage);
    expect(lite).toHaveLength(1);
    expect(pro).toHaveLength(2);

    const sum = (usages: typeof lite, key: 'inputTokens' | 'outputTokens') => usages.reduce((total, u) => total + (u?.[key] ?? 0), 0);
    expect(Object.keys(result.usageByModel).sort()).toEqual([NOVA_LITE, NOVA_PRO].sort());
    expect(result.usageByModel[NOVA_LITE]?.usage.inputTokens).toBe(sum(lite, 'inputTokens'));
    expect(result.usageByModel[NOVA_PRO]?.usage.outputTokens).toBe(sum(pro, 'outputTokens'));
    const litePico = BigInt(sum(lite, 'inputTokens')) * 60_000n + BigInt(sum(lite, 'outputTokens')) * 240_000n;
    const proPico = BigInt(sum(pro, 'inputTokens')) * 800_000n + BigInt(sum(pro, 'outputTokens')) * 3_200_000n;
    expect(result.usageByModel[NOVA_LITE]?.costUsd).toBe(Number(litePico) / 1e12);
    expect(result.costUsd).toBe(Number(litePico + proPico) / 1e12);
    expect(result.usage.inputTokens).toBe(sum(lite, 'inputTokens') + sum(pro, 'inputTokens'));
    // The supervisor's steps stay its own.
    expect(result.steps.reduce((total, step) => total + step.usage.inputTokens, 0)).toBe(sum(pro, 'inputTokens'));
  });

  it('traces the call the Agents way, and the collaborator parts carry the parent run id and name', async () => {
    const server = await start({ responder: supervisorThenBilling });
    const { supervisor, billing } = team(server);
    const billingOwn: TracePart[] = [];
    billing.events.on('trace', (part) => billingOwn.push(part));
    const streamed: TracePart[] = [];
    for await (const event of supervisor.stream('How much was March?')) if (event.type === 'trace') streamed.push(event.part);
    const result = await supervisor.run('How much was March?');

    for (const trace of [streamed, result.trace]) {
      const mine = trace.filter((part) => part.parentRunId === undefined);
      const nested = trace.filter((part) => part.parentRunId !== undefined);
      const runId = mine[0]?.runId;
      const input = mine.map(orchestration).find((o) => o && 'invocationInput' in o);
      expect(input).toMatchObject({
        invocationInput: {
          invocationType: 'AGENT_COLLABORATOR',
          agentCollaboratorInvocationInput: {
            agentCollaboratorName: 'billing',
            input: { type: 'TEXT', text: 'What is the March invoice total?' },
          },
          function: 'billing',
        },
      });
      expect(nested.length).toBeGreaterThanOrEqual(3);
      expect(new Set(nested.map((part) => part.parentRunId))).toEqual(new Set([runId]));
      expect(new Set(nested.map((part) => part.collaboratorName))).toEqual(new Set(['billing']));
      const childRunId = nested[0]?.runId;
      expect(childRunId).not.toBe(runId);
      const observation = mine.map(orchestration).find((o) => o && 'observation' in o && o.observation.type === 'AGENT_COLLABORATOR');
      expect(observation).toMatchObject({
        observation: {
          type: 'AGENT_COLLABORATOR',
          agentCollaboratorInvocationOutput: {
            agentCollaboratorName: 'billing',
            output: { type: 'TEXT', text: expect.stringMatching(/invoice total is \$42/) },
          },
          status: 'success',
          collaboratorRunId: childRunId,
        },
      });
      // Nested parts come between the call's input and its observation.
      const at = (part: unknown) => trace.indexOf(part as TracePart);
      const inputIndex = trace.findIndex((part) => orchestration(part) === input);
      const observationIndex = trace.findIndex((part) => orchestration(part) === observation);
      expect(at(nested[0])).toBeGreaterThan(inputIndex);
      expect(at(nested.at(-1))).toBeLessThan(observationIndex);
      expect(JSON.parse(JSON.stringify(trace))).toHaveLength(trace.length);
    }
    // The collaborator's own listeners see the same parts.
    expect(billingOwn.every((part) => part.collaboratorName === 'billing')).toBe(true);
    expect(billingOwn.length).toBe(streamed.filter((part) => part.parentRunId !== undefined).length * 2);
  });

  it("keeps the collaborator's conversation across the supervisor's runs of one session, apart per session", async () => {
    const server = await start({ responder: supervisorThenBilling });
    const { supervisor, billing } = team(server);
    await supervisor.run('How much was March?', { sessionId: 'acct-7' });
    const second = await supervisor.run('And again?', { sessionId: 'acct-7' });
    await supervisor.run('How much was March?', { sessionId: 'acct-8' });

    expect(second.steps[0]?.toolCalls[0]?.content).toEqual([{ text: 'Billing answer 2: the March invoice total is $42.' }]);
    const stored = await billing.memory.load('acct-7:billing');
    expect(stored?.messages).toHaveLength(4);
    expect((await billing.memory.load('acct-8:billing'))?.messages).toHaveLength(2);
    const liteBodies = bodies(server).filter((_, i) => server.requests[i]?.modelId === NOVA_LITE);
    expect(liteBodies.map((body) => body.messages.length)).toEqual([1, 3, 1]);
  });

  it('a supervisor run without a session id leaves nothing in the collaborator’s default store', async () => {
    const server = await start({ responder: supervisorThenBilling });
    const { supervisor, billing } = team(server);
    const result = await supervisor.run('How much was March?');
    expect(await billing.memory.load(`${result.sessionId}:billing`)).toBeUndefined();
  });

  it('two calls of one collaborator in one turn run one after the other, both answered', async () => {
    const server = await start({
      responder: (call) => {
        if (call.modelId === NOVA_LITE) return say(`answer ${call.turnIndex + 1}`);
        if (call.turnIndex > 0) return say('done');
        return {
          content: [
            { toolUse: { toolUseId: 'auto', name: 'billing', input: { request: 'first' } } },
            { toolUse: { toolUseId: 'auto', name: 'billing', input: { request: 'second' } } },
          ],
        };
      },
    });
    const { supervisor } = team(server);
    const result = await supervisor.run('Two questions', { sessionId: 'acct-9' });
    expect(result.steps[0]?.toolCalls.map((call) => [call.status, call.content])).toEqual([
      ['success', [{ text: 'answer 1' }]],
      ['success', [{ text: 'answer 2' }]],
    ]);
  });

  it("the supervisor's abort cancels the collaborator's run", async () => {
    const server = await start({
      responder: (call) => (call.modelId === NOVA_LITE ? { ...say('too late'), latencyMs: 5_000 } : useTool('billing', { request: 'x' })),
    });
    const { supervisor } = team(server);
    const controller = new AbortController();
    supervisor.events.on('trace', (part) => {
      if (part.parentRunId !== undefined) controller.abort();
    });
    const started = Date.now();
    const result = await supervisor.run('How much?', { signal: controller.signal });
    expect(result.stopReason).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/cancel/i) });
  });

  it("the supervisor's budget counts the collaborator's cost and stops both", async () => {
    const lookup = tool({ name: 'lookup', description: 'Look up an invoice', input: z.object({ id: z.string() }), run: () => 'found' });
    const server = await start({
      responder: (call) =>
        call.modelId === NOVA_LITE ? useTool('lookup', { id: `inv-${call.turnIndex}` }) : useTool('billing', { request: 'x' }),
    });
    const billing = agentOn(server, { model: NOVA_LITE, tools: [lookup], maxSteps: 50 });
    const supervisor: Agent = agentOn(server, {
      tools: [billing.asTool({ name: 'billing', description: 'Answers billing questions' })],
      maxCostUsd: 0.0004,
      maxSteps: 50,
    });
    const result = await supervisor.run('How much?');
    expect(result.stopReason).toBe('budget');
    expect(result.costUsd).toBeGreaterThanOrEqual(0.0004);
    const liteCalls = server.requests.filter((request) => request.modelId === NOVA_LITE).length;
    expect(liteCalls).toBeGreaterThan(1);
    expect(liteCalls).toBeLessThan(49);
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/budget/) });
    expect(result.steps).toHaveLength(1);
  });

  it("a collaborator past its timeoutMs is cancelled: an error result, and none of its parts after the call's observation", async () => {
    const server = await start({
      responder: (call) => {
        if (call.modelId === NOVA_LITE) return { ...say('too late'), latencyMs: 1_500 };
        return call.turnIndex === 0 ? useTool('billing', { request: 'x' }) : say('ok');
      },
    });
    const billing = agentOn(server, { model: NOVA_LITE });
    const supervisor = agentOn(server, {
      tools: [billing.asTool({ name: 'billing', description: 'Answers billing questions', timeoutMs: 200 })],
    });
    const started = Date.now();
    const result = await supervisor.run('How much?');
    expect(Date.now() - started).toBeLessThan(1_400);
    expect(result.text).toBe('ok');
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/did not finish within 200 ms/) });
    const observationAt = result.trace.findIndex((part) => orchestration(part) !== undefined && 'observation' in orchestration(part)!);
    expect(result.trace.slice(observationAt).every((part) => part.parentRunId === undefined)).toBe(true);
  });

  it('a collaborator that reaches its step limit answers with what it has', async () => {
    const lookup = tool({ name: 'lookup', description: 'Look up an invoice', input: z.object({ id: z.string() }), run: () => 'found' });
    const server = await start({
      responder: (call) => {
        if (call.modelId === NOVA_LITE) return call.turnIndex < 1 ? useTool('lookup', { id: 'inv-1' }) : say('Partial: inv-1 found.');
        return call.turnIndex === 0 ? useTool('billing', { request: 'x' }) : say('ok');
      },
    });
    const billing = agentOn(server, { model: NOVA_LITE, tools: [lookup], maxSteps: 2 });
    const result = await agentOn(server, { tools: [billing.asTool({ name: 'billing', description: 'Answers billing questions' })] }).run(
      'How much?',
    );
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ status: 'success', content: [{ text: 'Partial: inv-1 found.' }] });
    const liteBodies = bodies(server).filter((_, i) => server.requests[i]?.modelId === NOVA_LITE);
    expect(liteBodies).toHaveLength(2);
    expect(JSON.stringify(liteBodies[1]?.messages.at(-1))).toMatch(/reached the step limit/);
    const nested = result.trace.filter((part) => part.parentRunId !== undefined);
    const finish = nested.map(orchestration).find((o) => o && 'observation' in o && o.observation.type === 'FINISH');
    expect(finish).toBeDefined();
  });

  it('a collaborator that fails gives the supervisor an error result, and the run goes on', async () => {
    const server = await start({
      responder: (call) =>
        call.modelId === NOVA_LITE ? say('unused') : call.turnIndex === 0 ? useTool('billing', { request: 'x' }) : say('ok'),
    });
    server.injectFaults({ fault: { kind: 'internal-error' }, model: 'amazon.nova-lite-v1:0', times: Infinity });
    const { supervisor } = team(server);
    const result = await supervisor.run('How much?');
    expect(result.text).toBe('ok');
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/^Tool billing failed: .*500|Internal/i),
    });
  });

  it('takes a zod input schema of its own; the parsed input is the prompt, as JSON', async () => {
    const server = await start({
      responder: (call) =>
        call.modelId === NOVA_LITE ? say('fine') : call.turnIndex === 0 ? useTool('billing', { invoice: 'inv-1', month: 3 }) : say('ok'),
    });
    const billing = agentOn(server, { model: NOVA_LITE });
    const input = z.object({ invoice: z.string(), month: z.number().int() });
    const asTool = billing.asTool({ name: 'billing', description: 'Explains an invoice', input });
    expect(asTool.inputSchema).toMatchObject({ type: 'object', required: ['invoice', 'month'] });
    await agentOn(server, { tools: [asTool] }).run('Explain inv-1');
    const liteBody = bodies(server).find((_, i) => server.requests[i]?.modelId === NOVA_LITE);
    expect(liteBody?.messages[0]?.content).toEqual([{ text: '{"invoice":"inv-1","month":3}' }]);
  });

  it('takes a zod 3 input schema too', async () => {
    const server = await start({
      responder: (call) =>
        call.modelId === NOVA_LITE ? say('fine') : call.turnIndex === 0 ? useTool('billing', { invoice: 'inv-2' }) : say('ok'),
    });
    const asTool = agentOn(server, { model: NOVA_LITE }).asTool({
      name: 'billing',
      description: 'Explains an invoice',
      input: z3.object({ invoice: z3.string() }),
    });
    expect(asTool.inputSchema).toEqual({ type: 'object', properties: { invoice: { type: 'string' } }, required: ['invoice'] });
    const result = await agentOn(server, { tools: [asTool] }).run('Explain inv-2');
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ status: 'success', content: [{ text: 'fine' }] });
  });

  it("a supervisor's maxCostUsd needs a price for every collaborator's model, nested ones too", async () => {
    const server = await start();
    const custom = 'arn:aws:bedrock:us-east-1:123456789012:custom-model/abc';
    const unknown = agentOn(server, { model: custom });
    const middle = agentOn(server, { model: NOVA_LITE, tools: [unknown.asTool({ name: 'deep', description: 'Deep collaborator' })] });
    const tools = [middle.asTool({ name: 'middle', description: 'Middle collaborator' })];
    expect(() => agentOn(server, { tools, maxCostUsd: 1 })).toThrow(new RegExp(`No price is known for ${custom.replace(/[/:.]/g, '.')}`));
    expect(() => agentOn(server, { tools })).not.toThrow();
    const priced = agentOn(server, { model: custom, price: { inputPer1M: 1, outputPer1M: 1 } });
    expect(() => agentOn(server, { tools: [priced.asTool({ name: 'deep', description: 'x' })], maxCostUsd: 1 })).not.toThrow();
  });

  it('rejects a bad definition with ToolDefinitionError', async () => {
    const server = await start();
    const billing = agentOn(server, { model: NOVA_LITE });
    expect(() => billing.asTool({ name: 'billing-team', description: 'x' })).toThrow(/hyphen/);
    expect(() => billing.asTool({ name: 'billing', description: '' })).toThrow(/description/);
    expect(() => billing.asTool({ name: 'billing', description: 'x', input: {} as never })).toThrow(/zod schema/);
  });
});
