import { startLocalBedrock } from '@novaloop/bedrock-local';
import { Agent, tool, ToolDefinitionError, type OrchestrationTrace } from '@novaloop/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// core's tool({ traceAs }) contract, which knowledgeBaseRetrieve relies on, through core's public API.
describe("tool({ traceAs: { type: 'KNOWLEDGE_BASE' } })", () => {
  it('rejects a traceAs that is not a knowledge base with an id', () => {
    const base = { name: 'kb', description: 'search', input: z.object({ query: z.string() }), run: () => ({}) };
    expect(() => tool({ ...base, traceAs: { type: 'KNOWLEDGE_BASE', knowledgeBaseId: '' } })).toThrow(ToolDefinitionError);
    expect(() => tool({ ...base, traceAs: { type: 'ACTION' as 'KNOWLEDGE_BASE', knowledgeBaseId: 'KB1' } })).toThrow(/traceAs must be/);
    expect(tool({ ...base, traceAs: { type: 'KNOWLEDGE_BASE', knowledgeBaseId: 'KB1' } }).traceAs).toEqual({
      type: 'KNOWLEDGE_BASE',
      knowledgeBaseId: 'KB1',
    });
  });

  it('falls back to action-group parts when the input has no string query or the output no retrievedReferences', async () => {
    const bedrock = await startLocalBedrock({
      script: {
        turns: [
          {
            content: [
              { toolUse: { toolUseId: 'auto', name: 'lookup', input: { query: 'a', shape: 'refs' } } },
              { toolUse: { toolUseId: 'auto', name: 'lookup', input: { query: 'b', shape: 'other' } } },
              { toolUse: { toolUseId: 'auto', name: 'lookup', input: { query: 7, shape: 'refs' } } },
            ],
          },
          { content: [{ text: 'done' }] },
        ],
      },
    });
    const lookup = tool({
      name: 'lookup',
      description: 'look something up',
      input: z.object({ query: z.union([z.string(), z.number()]), shape: z.string() }),
      traceAs: { type: 'KNOWLEDGE_BASE', knowledgeBaseId: 'KB1' },
      run: ({ shape }) => (shape === 'refs' ? { retrievedReferences: [{ content: { text: 'x', type: 'TEXT' } }] } : { answer: 42 }),
    });
    const agent = new Agent({
      model: 'us.amazon.nova-pro-v1:0',
      tools: [lookup],
      toolConcurrency: 1,
      clientConfig: { region: 'us-east-1', endpoint: bedrock.endpoint, credentials: { accessKeyId: 'l', secretAccessKey: 'l' } },
    });
    try {
      const result = await agent.run('look up');
      const parts = result.trace.flatMap((p) =>
        'orchestrationTrace' in p.trace ? [p.trace.orchestrationTrace] : [],
      ) as OrchestrationTrace[];
      const inputs = parts.flatMap((p) => ('invocationInput' in p ? [p.invocationInput] : []));
      const observations = parts.flatMap((p) => ('observation' in p ? [p.observation] : []));
      expect(inputs.map((i) => i.invocationType)).toEqual(['KNOWLEDGE_BASE', 'KNOWLEDGE_BASE', 'ACTION_GROUP', 'FINISH']);
      expect(inputs[2]).toMatchObject({ actionGroupInvocationInput: { function: 'lookup', input: { query: 7 } } });
      expect(observations.map((o) => o.type)).toEqual(['KNOWLEDGE_BASE', 'ACTION_GROUP', 'KNOWLEDGE_BASE', 'FINISH']);
      expect(observations[0]).toMatchObject({
        knowledgeBaseLookupOutput: { retrievedReferences: [{ content: { text: 'x', type: 'TEXT' } }] },
      });
      expect(observations[1]).toMatchObject({ actionGroupInvocationOutput: { status: 'success', text: '{"answer":42}' } });
    } finally {
      agent.close();
      await bedrock.close();
    }
  });
});
