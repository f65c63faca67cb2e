import { describe, expect, it } from 'vitest';
import { jsonSchemaTool, toNovaJsonSchema, toolContent, ToolDefinitionError, type TracePart } from '../src/index.js';
import { bodies, say, useBedrock } from './helpers.js';

describe('toNovaJsonSchema', () => {
  it('inlines $refs, keeps only type/properties/required at the root, and notes what it dropped', () => {
    const { schema, notes } = toNovaJsonSchema(
      {
        $schema: 'http://json-schema.org/draft-07/schema#',
        title: 'Args',
        type: 'object',
        properties: { region: { $ref: '#/$defs/region' }, tags: { type: 'array', items: { $ref: '#/$defs/region' } } },
        required: ['region'],
        additionalProperties: false,
        $defs: { region: { type: 'string', enum: ['us-east-1', 'eu-west-1'] } },
      },
      'list_hosts',
    );
    expect(schema).toEqual({
      type: 'object',
      properties: {
        region: { type: 'string', enum: ['us-east-1', 'eu-west-1'] },
        tags: { type: 'array', items: { type: 'string', enum: ['us-east-1', 'eu-west-1'] } },
      },
      required: ['region'],
    });
    expect(notes).toEqual([expect.stringMatching(/Dropped the top-level "additionalProperties" of list_hosts/)]);
  });

  it('treats a root with properties and no type as an object, and an empty object schema as no input', () => {
    expect(toNovaJsonSchema({ properties: { a: { type: 'string' } } }, 't').schema).toEqual({
      type: 'object',
      properties: { a: { type: 'string' } },
    });
    expect(toNovaJsonSchema({ type: 'object' }, 't')).toEqual({ schema: { type: 'object', properties: {} }, notes: [] });
  });

  it('rejects what Nova cannot take, with ToolDefinitionError', () => {
    expect(() => toNovaJsonSchema({ type: 'string' }, 't')).toThrow(ToolDefinitionError);
    expect(() => toNovaJsonSchema({ type: 'string' }, 't')).toThrow(/must describe an object \(got a string schema\)/);
    const recursive = {
      type: 'object',
      properties: { node: { $ref: '#/$defs/node' } },
      $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' } } } },
    };
    expect(() => toNovaJsonSchema(recursive, 't')).toThrow(/recursive/);
    expect(() => toNovaJsonSchema({ type: 'object', properties: { a: { $ref: 'https://x/y.json' } } }, 't')).toThrow(/external/);
    expect(() => toNovaJsonSchema({ type: 'object', additionalProperties: { type: 'string' } }, 't')).toThrow(/record\/map/);
  });
});

describe('jsonSchemaTool and toolContent in a run', () => {
  const { start, agentOn } = useBedrock();

  it('checks the input shape, runs, notes dropped keywords in the trace, and sends image and error blocks as they are', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const chart = jsonSchemaTool({
      name: 'cpu_chart',
      description: 'Draw the CPU chart of a host',
      inputSchema: { type: 'object', properties: { host: { type: 'string' } }, required: ['host'], additionalProperties: false },
      run: ({ host }) =>
        host === 'down'
          ? toolContent([{ text: 'host down is unreachable' }], { status: 'error' })
          : toolContent([{ text: `CPU of ${String(host)}` }, { image: { format: 'png', source: { bytes: png } } }]),
    });
    expect(chart.schemaNotes).toHaveLength(1);
    const server = await start({
      script: {
        turns: [
          {
            content: [
              { toolUse: { toolUseId: 'auto', name: 'cpu_chart', input: { host: 'web-1' } } },
              { toolUse: { toolUseId: 'auto', name: 'cpu_chart', input: { host: 'down' } } },
              { toolUse: { toolUseId: 'auto', name: 'cpu_chart', input: {} } },
            ],
          },
          say('Done.'),
        ],
      },
    });
    const result = await agentOn(server, { tools: [chart] }).run('Chart web-1');
    const calls = result.steps[0]?.toolCalls ?? [];
    expect(calls.map((call) => call.status)).toEqual(['success', 'error', 'error']);
    expect(calls[1]?.error).toBe('host down is unreachable');
    expect(calls[2]?.error).toMatch(/Invalid input for tool cpu_chart: host: required/);
    const sent = bodies(server)[1]?.messages.at(-1)?.content as { toolResult: { content: unknown[]; status?: string } }[];
    expect(sent[0]?.toolResult.content[1]).toMatchObject({ image: { format: 'png' } });
    expect(sent[1]?.toolResult.status).toBe('error');
    const inputs = result.trace.flatMap((part: TracePart) =>
      'orchestrationTrace' in part.trace && 'invocationInput' in part.trace.orchestrationTrace
        ? [part.trace.orchestrationTrace.invocationInput]
        : [],
    );
    expect(inputs[0]).toMatchObject({ actionGroupInvocationInput: { schemaNotes: [expect.stringMatching(/additionalProperties/)] } });
    const observations = result.trace.flatMap((part: TracePart) =>
      'orchestrationTrace' in part.trace && 'observation' in part.trace.orchestrationTrace
        ? [part.trace.orchestrationTrace.observation]
        : [],
    );
    // Observations come in the order the calls finish.
    expect(observations.find((o) => o.type === 'ACTION_GROUP' && o.actionGroupInvocationOutput.status === 'success')).toMatchObject({
      actionGroupInvocationOutput: { text: 'CPU of web-1\n[image: png]' },
    });
  });

  it('refuses bad definitions', () => {
    expect(() => jsonSchemaTool({ name: 'a.b', description: 'x', inputSchema: { type: 'object' }, run: () => 1 })).toThrow(
      ToolDefinitionError,
    );
    expect(() => toolContent('text' as never)).toThrow(/array of toolResult content blocks/);
  });
});
