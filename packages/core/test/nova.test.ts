import { describe, expect, it } from 'vitest';
import { INFRA_QUESTION, INFRA_SCRIPT, infraTools, bodies, say, useBedrock } from './helpers.js';

describe('Nova specifics', () => {
  const { start, agentOn } = useBedrock();

  it('thinking becomes the step rationale, is stripped from the answer and deltas, and stays in history', async () => {
    const server = await start({
      script: { turns: [say('<thinking>The user greets me; no tool is needed.</thinking>\n\nHello! How can I help?')] },
    });
    const agent = agentOn(server, { tools: infraTools });
    const deltas: string[] = [];
    const rationales: string[] = [];
    agent.events.on('text-delta', (e) => deltas.push(e.text));
    agent.events.on('rationale', (e) => rationales.push(e.text));
    const result = await agent.run('hello', { sessionId: 'n' });
    expect(result.text).toBe('Hello! How can I help?');
    expect(result.steps[0]?.rationale).toBe('The user greets me; no tool is needed.');
    expect(rationales).toEqual(['The user greets me; no tool is needed.']);
    expect(deltas.join('')).not.toContain('thinking');
    expect(deltas.join('').trim()).toBe('Hello! How can I help?');
    // Kept in history as the model wrote it, as AWS advises for multi-turn tool use.
    const stored = await agent.memory.load('n');
    expect(stored?.messages[1]?.content?.[0]?.text).toMatch(/^<thinking>The user greets me/);
  });

  it('each tool step’s thinking is its rationale in steps and trace', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const result = await agentOn(server, { tools: infraTools }).run(INFRA_QUESTION);
    expect(result.steps.map((s) => s.rationale?.slice(0, 30))).toEqual([
      'To find how many ECS tasks fai',
      'The query shows failed tasks i',
      undefined,
    ]);
    expect(result.steps[0]?.rationale).not.toContain('<thinking>');
    const traced = result.trace.flatMap((p) =>
      'orchestrationTrace' in p.trace && 'rationale' in p.trace.orchestrationTrace ? [p.trace.orchestrationTrace.rationale] : [],
    );
    expect(traced.map((r) => r.traceId)).toEqual([`${result.runId}-0`, `${result.runId}-1`]);
  });

  it('uses greedy decoding by default for Nova with tools, and lets every field be overridden', async () => {
    const server = await start();
    await agentOn(server, { tools: infraTools }).run('a');
    await agentOn(server, { tools: infraTools, inference: { temperature: 0.5, topK: 20 } }).run('b');
    await agentOn(server, { tools: infraTools, greedyToolDecoding: false }).run('c');
    await agentOn(server).run('d');
    const sent = bodies(server).map((b) => [b.inferenceConfig, b.additionalModelRequestFields]);
    expect(sent).toEqual([
      [{ temperature: 0 }, { inferenceConfig: { topK: 1 } }],
      [{ temperature: 0.5 }, { inferenceConfig: { topK: 20 } }],
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });

  it('caps maxTokens at the model limit instead of letting Bedrock reject the request', async () => {
    const server = await start();
    const result = await agentOn(server, { inference: { maxTokens: 50_000 } }).run('hi');
    expect(result.stopReason).toBe('end_turn');
    expect(bodies(server)[0]?.inferenceConfig).toEqual({ maxTokens: 10_000 });
    await agentOn(server, { model: 'us.amazon.nova-premier-v1:0', inference: { maxTokens: 50_000 } }).run('hi');
    expect(bodies(server)[1]?.inferenceConfig).toEqual({ maxTokens: 25_000 });
  });
});
