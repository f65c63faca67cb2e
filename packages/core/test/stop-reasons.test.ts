import type { ConverseCall } from '@novaloop/bedrock-local';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MalformedToolUseError, tool, type AgentEvent } from '../src/index.js';
import { assertValidHistory, bodies, INFRA_QUESTION, INFRA_SCRIPT, infraTools, say, useBedrock, useTool } from './helpers.js';

const LONG_QUERY = `SELECT * FROM ecs_tasks WHERE ${Array.from({ length: 20 }, (_, i) => `col${i} = 'value ${i}'`).join(' AND ')}`;
const lastUserTexts = (call: ConverseCall) =>
  (call.body.messages.at(-1)?.content ?? []).flatMap((b) =>
    typeof (b as { text?: unknown }).text === 'string' ? [(b as { text: string }).text] : [],
  );

describe('stop reasons', () => {
  const { start, agentOn } = useBedrock();

  for (const stream of [true, false]) {
    const mode = stream ? 'ConverseStream' : 'Converse';

    it(`${mode}: max_tokens in text returns the partial answer`, async () => {
      const server = await start({ script: { turns: [say('A long answer that will not fit in the few tokens allowed for it.')] } });
      const agent = agentOn(server, { stream, inference: { maxTokens: 4 } });
      const result = await agent.run('explain');
      expect(result.stopReason).toBe('max_tokens');
      expect(result.text).toBe('A long answer th');
      expect(result.messages.at(-1)).toEqual({ role: 'assistant', content: [{ text: 'A long answer th' }] });
    });

    it(`${mode}: a toolUse cut by maxTokens (Nova's 424) is asked again greedily with more tokens`, async () => {
      const server = await start({ script: { turns: [useTool('query_database', { query: LONG_QUERY }), say('Done.')] } });
      const agent = agentOn(server, { stream, tools: infraTools, inference: { maxTokens: 60, temperature: 0.7, topK: 50 } });
      const retries: AgentEvent[] = [];
      agent.events.on('retry', (event) => retries.push(event));
      const result = await agent.run('query');

      expect(result.stopReason).toBe('end_turn');
      expect(result.steps[0]?.attempts).toBe(3);
      const inference = bodies(server).map((b) => [b.inferenceConfig, b.additionalModelRequestFields]);
      expect(inference.slice(0, 3)).toEqual([
        [{ maxTokens: 60, temperature: 0.7 }, { inferenceConfig: { topK: 50 } }],
        [{ maxTokens: 120, temperature: 0 }, { inferenceConfig: { topK: 1 } }],
        [{ maxTokens: 240, temperature: 0 }, { inferenceConfig: { topK: 1 } }],
      ]);
      expect(server.requests.slice(0, 2).map((r) => r.errorType)).toEqual(
        stream ? ['modelStreamErrorException', 'modelStreamErrorException'] : ['ModelErrorException', 'ModelErrorException'],
      );
      expect(retries.map((e) => e.type === 'retry' && e.reason)).toEqual(['malformed-tool-use', 'malformed-tool-use']);
      // The next step goes back to the user's settings.
      expect(bodies(server)[3]?.inferenceConfig).toEqual({ maxTokens: 60, temperature: 0.7 });
    });

    it(`${mode}: gives up with MalformedToolUseError after toolUseRepair.maxAttempts`, async () => {
      const server = await start({ script: { turns: [useTool('query_database', { query: LONG_QUERY })] } });
      const agent = agentOn(server, { stream, tools: infraTools, inference: { maxTokens: 10 }, toolUseRepair: { maxAttempts: 1 } });
      const error = await agent.run('query', { sessionId: 's' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedToolUseError);
      expect(error).toMatchObject({ code: 'MALFORMED_TOOL_USE', attempts: 2 });
      expect(server.requests).toHaveLength(2);
      // Nothing half-written: the failed first step stored nothing.
      expect(await agent.memory.load('s')).toBeUndefined();
    });
  }

  it('a 424 ModelErrorException fault, and malformed_tool_use / max_tokens-in-toolUse stop reasons, are repaired', async () => {
    // Request 1 is answered by the fault; the responder sees requests 2 onwards.
    let calls = 0;
    const server = await start({
      responder: (call) => {
        calls++;
        if (call.turnIndex === 1) return say('Checked.');
        if (calls === 1) return { ...useTool('get_service_status', { service_name: 'x' }), stopReason: 'malformed_tool_use' };
        if (calls === 2) return { ...useTool('get_service_status', { service_name: 'x' }), stopReason: 'max_tokens' };
        return useTool('get_service_status', { service_name: 'payments-api' });
      },
    });
    server.injectFaults({ fault: { kind: 'model-error' }, requests: [1] });
    const agent = agentOn(server, { tools: infraTools, toolUseRepair: { maxAttempts: 3 } });
    const result = await agent.run('status?');
    expect(result.text).toBe('Checked.');
    expect(result.steps[0]?.attempts).toBe(4);
    expect(result.steps[0]?.toolCalls[0]?.input).toEqual({ service_name: 'payments-api' });
    const repromptReasons = result.trace.flatMap((p) =>
      'orchestrationTrace' in p.trace &&
      'observation' in p.trace.orchestrationTrace &&
      p.trace.orchestrationTrace.observation.type === 'REPROMPT'
        ? [p.trace.orchestrationTrace.observation.repromptResponse?.text]
        : [],
    );
    expect(repromptReasons).toEqual([
      expect.stringMatching(/^ModelErrorException: The model produced an invalid sequence as part of ToolUse/),
      'stop reason malformed_tool_use',
      'max_tokens reached inside a toolUse',
    ]);
    // Billed attempts count: the two that returned a (broken) response are in the step's usage.
    expect(result.steps[0]?.usage.outputTokens).toBe(server.requests.slice(1, 4).reduce((n, r) => n + (r.usage?.outputTokens ?? 0), 0));
  });

  for (const reason of ['guardrail_intervened', 'content_filtered'] as const) {
    it(`${reason} ends the run with that stop reason`, async () => {
      const server = await start({ script: { turns: [say('Sorry, I cannot help with that.', reason)] } });
      const result = await agentOn(server).run('something unsafe');
      expect(result.stopReason).toBe(reason);
      expect(result.text).toBe('Sorry, I cannot help with that.');
    });
  }

  it('stop_sequence ends the run with that stop reason and the text before it', async () => {
    const server = await start({ script: { turns: [say('Answer: 42\nEND trailing words')] } });
    const result = await agentOn(server, { inference: { stopSequences: ['END'] } }).run('q');
    expect(result).toMatchObject({ stopReason: 'stop_sequence', text: 'Answer: 42' });
  });

  it('reaching maxSteps asks for a final answer, tools still configured, and ends with max_steps', async () => {
    const server = await start({
      responder: (call) =>
        lastUserTexts(call).some((t) => t.includes('step limit'))
          ? say('Partial answer: 7 failed tasks so far.')
          : useTool('get_service_status', { service_name: `svc-${call.turnIndex}` }),
    });
    const agent = agentOn(server, { tools: infraTools, maxSteps: 3 });
    const result = await agent.run(INFRA_QUESTION);
    expect(result.stopReason).toBe('max_steps');
    expect(result.text).toBe('Partial answer: 7 failed tasks so far.');
    expect(server.requests).toHaveLength(3);
    const last = bodies(server)[2];
    expect(last?.toolConfig).toBeDefined();
    expect(last?.messages.at(-1)?.content?.at(-1)?.text).toMatch(/step limit/);
    assertValidHistory(result.messages);
  });

  it('a model that still calls tools on the last step gets its tools answered and a max_steps result, never silence', async () => {
    const server = await start({ responder: (call) => useTool('get_service_status', { service_name: `svc-${call.turnIndex}` }) });
    const agent = agentOn(server, { tools: infraTools, maxSteps: 2 });
    const result = await agent.run('loop forever', { sessionId: 'looping' });
    expect(result.stopReason).toBe('max_steps');
    expect(result.text).toMatch(/could not finish within the limit of 2 steps/);
    expect(result.steps.flatMap((s) => s.toolCalls.map((c) => c.status))).toEqual(['success', 'success']);
    const stored = await agent.memory.load('looping');
    expect(stored?.messages).toHaveLength(5);
    assertValidHistory(stored?.messages ?? []);
    // The session can go on: the next prompt joins the trailing tool results.
    server.requests.length = 0;
    await agent.run('and now?', { sessionId: 'looping' }).catch(() => undefined);
    expect(bodies(server)[0]?.messages).toHaveLength(5);
    expect(bodies(server)[0]?.messages.at(-1)?.content?.at(-1)).toEqual({ text: 'and now?' });
  });

  it('maxSteps 1 with a tool call answers the tool and stops', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const result = await agentOn(server, { tools: infraTools, maxSteps: 1 }).run(INFRA_QUESTION);
    expect(result.stopReason).toBe('max_steps');
    expect(result.steps).toHaveLength(1);
    assertValidHistory(result.messages);
  });

  it('maxCostUsd ends the run with stopReason budget after the step that reaches it', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { tools: infraTools, maxCostUsd: 0.0002 });
    const result = await agent.run(INFRA_QUESTION);
    expect(result.stopReason).toBe('budget');
    expect(result.steps).toHaveLength(1);
    expect(result.costUsd).toBeGreaterThanOrEqual(0.0002);
    expect(server.requests).toHaveLength(1);
    // The tool the model asked for was answered, so the history is valid and can continue.
    assertValidHistory(result.messages);
  });

  it('a run stopped by its budget before the last step does not store the final-step prompt', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { tools: infraTools, maxSteps: 2, maxCostUsd: 0.0002 });
    const result = await agent.run(INFRA_QUESTION, { sessionId: 'b' });
    expect(result.stopReason).toBe('budget');
    const stored = (await agent.memory.load('b'))?.messages ?? [];
    expect(JSON.stringify(stored)).not.toContain('step limit');
    // Without the budget the same step carries it, since the next call is the last.
    const unlimited = await start({ script: INFRA_SCRIPT });
    await agentOn(unlimited, { tools: infraTools, maxSteps: 2 }).run(INFRA_QUESTION);
    expect(JSON.stringify(bodies(unlimited)[1]?.messages.at(-1))).toContain('step limit');
  });

  it('model_context_window_exceeded is a typed error', async () => {
    const server = await start({ script: { turns: [say('…', 'model_context_window_exceeded' as never)] } });
    const error = await agentOn(server)
      .run('q')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONTEXT_WINDOW_EXCEEDED' });
  });

  it('a tool with a hyphenated name never reaches the model', () => {
    expect(() => tool({ name: 'get-status', description: 'x', input: z.object({}), run: () => 1 })).toThrow(/get_status/);
  });
});
