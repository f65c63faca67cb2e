import type { Tool as BedrockTool } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod3';
import { ToolDefinitionError } from '../errors.js';
import type { InferToolInput, Tool, ToolContext } from './tool.js';
import { checkToolSet, tool } from './tool.js';

const ctx: ToolContext = {
  signal: new AbortController().signal,
  toolUseId: 'tooluse_1',
  runId: 'run_1',
  sessionId: 'session_1',
  stepIndex: 2,
  session: { attributes: {}, set: () => undefined },
};

const statusInput4 = z.object({
  service_name: z.string().describe('Name of the service'),
  max_events: z.number().int().default(10),
  since: z
    .string()
    .optional()
    .transform((s) => (s === undefined ? undefined : s.length)),
  owner: z.object({ team: z.string() }).optional(),
});

const statusInput3 = z3.object({
  service_name: z3.string().describe('Name of the service'),
  max_events: z3.number().int().default(10),
  since: z3
    .string()
    .optional()
    .transform((s) => (s === undefined ? undefined : s.length)),
  owner: z3.object({ team: z3.string() }).optional(),
});

type StatusInput = { service_name: string; max_events: number; since: number | undefined; owner?: { team: string } | undefined };
// zod 3 marks every output key whose type includes undefined as optional; zod 4 keeps `since` required.
type StatusInput3 = { service_name: string; max_events: number; since?: number | undefined; owner?: { team: string } | undefined };

function defineTool(name: string, extra: Partial<{ description: string; timeoutMs: number }> = {}): Tool {
  return tool({ name, description: 'Test tool', input: z.object({ a: z.string() }), run: () => 'ok', ...extra });
}

function definitionError(fn: () => unknown): ToolDefinitionError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ToolDefinitionError);
  return caught as ToolDefinitionError;
}

describe.each([
  ['zod 4', statusInput4],
  ['zod 3', statusInput3],
] as const)('tool() with %s', (_label, input) => {
  const statusTool = tool({
    name: 'get_service_status',
    description: 'Returns the health of one service.',
    input,
    timeoutMs: 5_000,
    run: (args) => ({ healthy: true, service: args.service_name }),
  });

  it('builds the Bedrock toolSpec from the converted schema', () => {
    const entry: BedrockTool = statusTool.spec; // must stay assignable to the SDK's Tool union

    expect(entry).toEqual({
      toolSpec: {
        name: 'get_service_status',
        description: 'Returns the health of one service.',
        inputSchema: { json: statusTool.inputSchema },
      },
    });
    expect(statusTool.inputSchema).toMatchObject({
      type: 'object',
      properties: { service_name: { type: 'string', description: 'Name of the service' }, since: { type: 'string' } },
      required: ['service_name'],
    });
    expect(statusTool.timeoutMs).toBe(5_000);
  });

  it('parseInput returns the parsed data with defaults and transforms applied', async () => {
    await expect(statusTool.parseInput({ service_name: 'checkout', since: 'abcd', extra: 1 })).resolves.toEqual({
      ok: true,
      value: { service_name: 'checkout', max_events: 10, since: 4 },
    });
  });

  it('parseInput explains a wrong type with the path of the field', async () => {
    const result = await statusTool.parseInput({ service_name: 42 });

    const expected =
      _label === 'zod 4' ? 'Invalid input: expected string, received number' : /* zod 3 wording */ 'Expected string, received number';
    expect(result).toEqual({
      ok: false,
      message: `Invalid input for tool get_service_status: service_name: ${expected}. Call get_service_status again with input that matches its schema.`,
    });
  });

  it('parseInput lists every issue, with dotted nested paths', async () => {
    const result = await statusTool.parseInput({ max_events: 1.5, owner: { team: false } });

    expect(result.ok).toBe(false);
    const message = result.ok ? '' : result.message;
    expect(message).toMatch(/^Invalid input for tool get_service_status: /);
    expect(message).toMatch(/service_name: [^;]+; /);
    expect(message).toMatch(/max_events: [^;]+/);
    expect(message).toMatch(/owner\.team: [^;]+/);
    expect(message).toMatch(/\. Call get_service_status again with input that matches its schema\.$/);
    expect(message).not.toContain('..');
  });

  it('parseInput uses (root) when the whole input is wrong', async () => {
    const result = await statusTool.parseInput('not an object');

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toMatch(/^Invalid input for tool get_service_status: \(root\): /);
  });
});

describe('InferToolInput', () => {
  it('infers the parsed type of a zod 4 schema', () => {
    expectTypeOf<InferToolInput<typeof statusInput4>>().toEqualTypeOf<StatusInput>();
    tool({
      name: 't4',
      description: 'd',
      input: statusInput4,
      run: (args) => {
        expectTypeOf(args).toEqualTypeOf<StatusInput>();
        expectTypeOf(args.max_events).toEqualTypeOf<number>();
        // @ts-expect-error not a field of the schema
        return args.missing;
      },
    });
  });

  it('infers the parsed type of a zod 3 schema', () => {
    expectTypeOf<InferToolInput<typeof statusInput3>>().toEqualTypeOf<StatusInput3>();
    tool({
      name: 't3',
      description: 'd',
      input: statusInput3,
      run: (args) => {
        expectTypeOf(args).toEqualTypeOf<StatusInput3>();
        expectTypeOf(args.max_events).toEqualTypeOf<number>();
        // @ts-expect-error not a field of the schema
        return args.missing;
      },
    });
  });

  it('is never for something that is not a schema', () => {
    expectTypeOf<InferToolInput<{ parse(): string }>>().toBeNever();
  });
});

describe('tool() execute', () => {
  it('passes input and context to run and resolves with its result', async () => {
    const echo = tool({
      name: 'echo',
      description: 'Echoes',
      input: z.object({ text: z.string() }),
      run: async (args, c) => ({ text: args.text, toolUseId: c.toolUseId, step: c.stepIndex }),
    });

    await expect(echo.execute({ text: 'hi' }, ctx)).resolves.toEqual({ text: 'hi', toolUseId: 'tooluse_1', step: 2 });
  });

  it('turns a synchronous throw in run into a rejection', async () => {
    const boom = tool({
      name: 'boom',
      description: 'Throws',
      input: z.object({}),
      run: () => {
        throw new Error('kaput');
      },
    });

    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = boom.execute({}, ctx);
    }).not.toThrow();
    await expect(pending).rejects.toThrow('kaput');
  });

  it('parseInput reports an error thrown inside a transform as invalid input', async () => {
    const strict = tool({
      name: 'strict_date',
      description: 'Parses a date',
      input: z.object({
        date: z.string().transform((s) => {
          if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new Error('date must look like 2024-01-31');
          return s;
        }),
      }),
      run: (args) => args.date,
    });

    await expect(strict.parseInput({ date: 'tomorrow' })).resolves.toEqual({
      ok: false,
      message:
        'Invalid input for tool strict_date: date must look like 2024-01-31. Call strict_date again with input that matches its schema.',
    });
  });
});

describe('tool() name rules', () => {
  it('rejects a hyphen with the Nova run-time failure and the underscore name', () => {
    const error = definitionError(() => defineTool('get-service-status'));

    expect(error.toolName).toBe('get-service-status');
    expect(error.message).toContain('hyphen');
    expect(error.message).toContain('The model produced an invalid sequence as part of ToolUse');
    expect(error.message).toContain('get_service_status');
  });

  it('accepts 64 characters and rejects 65', () => {
    expect(defineTool('a'.repeat(64)).name).toBe('a'.repeat(64));

    const error = definitionError(() => defineTool('a'.repeat(65)));
    expect(error.message).toMatch(/65 characters long; Bedrock allows at most 64/);
  });

  it('rejects an empty name', () => {
    expect(definitionError(() => defineTool('')).message).toMatch(/non-empty name/);
  });

  it.each([
    ['dots', 'weather.get', '"."', 'weather_get'],
    ['spaces', 'get weather', '" "', 'get_weather'],
    ['non-ASCII letters', 'météo', '"é"', 'm_t_o'],
  ])('rejects %s and names the bad characters', (_label, name, bad, suggestion) => {
    const error = definitionError(() => defineTool(name));

    expect(error.message).toContain(`characters Bedrock does not allow (${bad})`);
    expect(error.message).toContain(suggestion);
    expect(error.message).not.toContain('hyphen');
  });

  it('accepts letters, digits and underscores', () => {
    expect(defineTool('Get_Status_2').spec.toolSpec.name).toBe('Get_Status_2');
  });
});

describe('tool() other options', () => {
  it.each(['', '   '])('rejects the description %j', (description) => {
    expect(definitionError(() => defineTool('ok_name', { description })).message).toMatch(/non-empty description/);
  });

  it.each([0, -1, Number.POSITIVE_INFINITY, Number.NaN])('rejects timeoutMs %s', (timeoutMs) => {
    expect(definitionError(() => defineTool('ok_name', { timeoutMs })).message).toMatch(/timeoutMs must be a positive, finite number/);
  });

  it('leaves timeoutMs undefined when not given', () => {
    expect(defineTool('ok_name').timeoutMs).toBeUndefined();
  });

  it('rejects an input that is not a schema', () => {
    const error = definitionError(() =>
      tool({ name: 'plain', description: 'd', input: { type: 'object' } as unknown as z.ZodObject, run: () => 1 }),
    );
    expect(error.message).toMatch(/input must be a zod schema/);
  });

  it('rejects a non-object root schema at definition time', () => {
    const error = definitionError(() => tool({ name: 'str', description: 'd', input: z.string(), run: () => 1 }));
    expect(error.toolName).toBe('str');
    expect(error.message).toMatch(/z\.object/);
  });
});

describe('checkToolSet', () => {
  it('indexes tools by name', () => {
    const a = defineTool('tool_a');
    const b = defineTool('tool_b');

    const set = checkToolSet([a, b]);
    expect([...set.keys()]).toEqual(['tool_a', 'tool_b']);
    expect(set.get('tool_b')).toBe(b);
  });

  it('rejects two tools with the same name', () => {
    const error = definitionError(() => checkToolSet([defineTool('lookup'), defineTool('other'), defineTool('lookup')]));

    expect(error.toolName).toBe('lookup');
    expect(error.message).toMatch(/Two tools are named lookup/);
  });

  it('accepts an empty list', () => {
    expect(checkToolSet([]).size).toBe(0);
  });
});
