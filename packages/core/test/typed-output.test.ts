import type { ScriptTurn } from '@novaloop/bedrock-local';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod3';
import { AgentConfigError, InMemorySessionStore, OutputValidationError, tool } from '../src/index.js';
import { assertValidHistory, bodies, getServiceStatus, say, useBedrock, useTool } from './helpers.js';

const answer = (input: Record<string, unknown>): ScriptTurn => ({
  content: [{ toolUse: { toolUseId: 'auto', name: 'final_answer', input } }],
});

const schemas = {
  'zod 4': z.object({ service: z.string(), running: z.number().int(), healthy: z.boolean() }),
  'zod 3': z3.object({ service: z3.string(), running: z3.number().int(), healthy: z3.boolean() }),
};

describe('typed final output', () => {
  const { start, agentOn } = useBedrock();

  for (const [version, schema] of Object.entries(schemas)) {
    it(`${version}: tools first, then a text answer is turned into the forced, typed answer`, async () => {
      const server = await start({
        script: {
          turns: [
            useTool('get_service_status', { service_name: 'payments-api' }),
            say('payments-api is degraded: 2 of 4 tasks run.'),
            answer({ service: 'payments-api', running: 2, healthy: false }),
          ],
        },
      });
      const store = new InMemorySessionStore();
      const agent = agentOn(server, { tools: [getServiceStatus], memory: store });
      const result = await agent.run('How is payments-api?', { sessionId: 'typed', output: schema });
      expect(result.stopReason).toBe('end_turn');
      expect(result.output).toEqual({ service: 'payments-api', running: 2, healthy: false });
      expectTypeOf(result.output).toEqualTypeOf<{ service: string; running: number; healthy: boolean } | undefined>();
      expect(JSON.parse(result.text)).toEqual(result.output);

      const sent = bodies(server);
      const spec = sent[0]?.toolConfig as {
        tools: { toolSpec: { name: string; inputSchema: { json: { required: string[] } } } }[];
        toolChoice?: unknown;
      };
      expect(spec.tools.map((t) => t.toolSpec.name)).toEqual(['get_service_status', 'final_answer']);
      // The schema reached the model, with both zod versions.
      expect(spec.tools[1]?.toolSpec.inputSchema.json.required).toEqual(['service', 'running', 'healthy']);
      expect(spec.toolChoice).toBeUndefined();
      expect((sent[2]?.toolConfig as { toolChoice?: unknown }).toolChoice).toEqual({ tool: { name: 'final_answer' } });
      expect(sent[2]?.messages.at(-1)?.content?.[0]?.text).toMatch(/final_answer/);
      assertValidHistory((await store.load('typed'))?.messages ?? [], [getServiceStatus]);
    });
  }

  it('an answer that fails the schema goes back with the zod issues, and the next one is taken', async () => {
    const server = await start({
      script: {
        turns: [answer({ service: 'api', running: 'two', healthy: false }), answer({ service: 'api', running: 2, healthy: false })],
      },
    });
    const agent = agentOn(server);
    const result = await agent.run('How is the api?', { output: schemas['zod 4'] });
    expect(result.output).toEqual({ service: 'api', running: 2, healthy: false });
    expect(result.steps).toHaveLength(2);
    const retried = bodies(server)[1];
    expect(retried?.messages.at(-1)?.content?.[0]?.toolResult).toMatchObject({
      status: 'error',
      content: [{ text: expect.stringMatching(/^The answer does not match the schema: running: .*Call final_answer again/) }],
    });
    expect((retried?.toolConfig as { toolChoice?: unknown }).toolChoice).toEqual({ tool: { name: 'final_answer' } });
  });

  it('answers that keep failing end in OutputValidationError with the last raw answer, after the bounded retries', async () => {
    const bad = { service: 'api', running: 'two', healthy: 'no' };
    const server = await start({ script: { turns: [answer(bad), answer(bad), answer(bad)] } });
    const store = new InMemorySessionStore();
    const agent = agentOn(server, { memory: store });
    const error = await agent
      .run('How is the api?', { sessionId: 'bad', output: schemas['zod 3'], outputRetries: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputValidationError);
    expect(error).toMatchObject({
      code: 'OUTPUT_INVALID',
      attempts: 2,
      lastAnswer: bad,
      issues: [expect.stringMatching(/^running/), expect.stringMatching(/^healthy/)],
    });
    expect(server.requests).toHaveLength(2);
    // Every step up to the failure is stored, and the history is valid.
    const stored = await store.load('bad');
    expect(stored?.version).toBe(2);
    assertValidHistory(stored?.messages ?? [], [getServiceStatus]);
  });

  it('a model that answers the forced call in text fails the same way, with its text as the last answer', async () => {
    const server = await start({ script: { turns: [say('All good.'), say('Still all good.'), say('Really all good.')] } });
    const error = await agentOn(server)
      .run('How is the api?', { output: schemas['zod 4'], outputRetries: 1 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'OUTPUT_INVALID',
      attempts: 2,
      lastAnswer: 'Really all good.',
      issues: [expect.stringMatching(/not a call of final_answer/)],
    });
    expect(server.requests).toHaveLength(3);
  });

  it('an agent without tools can go on with a plain run on a session that holds typed answers', async () => {
    const server = await start({ script: { turns: [answer({ service: 'api', running: 2, healthy: false }), say('It was degraded.')] } });
    const agent = agentOn(server, { memory: new InMemorySessionStore() });
    await agent.run('How is the api?', { sessionId: 'mixed', output: schemas['zod 4'] });
    const plain = await agent.run('Say it in words.', { sessionId: 'mixed' });
    expect(plain.text).toBe('It was degraded.');
    // Bedrock needs a toolConfig for a history with tool blocks: the past answers' tool is sent, as the loosest schema.
    const spec = bodies(server)[1]?.toolConfig as { tools: { toolSpec: { name: string } }[]; toolChoice?: unknown };
    expect(spec.tools.map((t) => t.toolSpec.name)).toEqual(['final_answer']);
    expect(spec.toolChoice).toBeUndefined();
    // A fresh session of the same agent sends no toolConfig at all.
    await agent.run('How is the api?', { sessionId: 'fresh' }).catch(() => undefined);
    expect(bodies(server)[2]?.toolConfig).toBeUndefined();
  });

  it('an output schema that cannot be a tool, or a tool that takes its name, is an AgentConfigError', async () => {
    const server = await start({ script: { turns: [say('hi')] } });
    const agent = agentOn(server);
    await expect(agent.run('hi', { output: z.string() })).rejects.toBeInstanceOf(AgentConfigError);
    await expect(agent.run('hi', { output: schemas['zod 4'], outputRetries: -1 })).rejects.toMatchObject({ code: 'AGENT_CONFIG' });
    const clash = tool({ name: 'final_answer', description: 'mine', input: z.object({}), run: () => 1 });
    await expect(agentOn(server, { tools: [clash] }).run('hi', { output: schemas['zod 4'] })).rejects.toThrow(/rename that tool/);
    expect(server.requests).toHaveLength(0);
  });
});
