import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod3';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { ToolDefinitionError } from '../errors.js';
import { toNovaInputSchema } from './tool-schema.js';

// The same tool input, written once per zod major version.
const serviceStatus4 = z
  .object({
    service_name: z.string().describe('Name of the service to check'),
    region: z.enum(['us-east-1', 'eu-west-1']).optional().describe('AWS region'),
    include_history: z.boolean().default(false),
    max_events: z.number().min(1).max(100).default(10).describe('How many events to return'),
    tags: z.array(z.string()).describe('Tags to filter by'),
    owner: z.object({ team: z.string(), pager: z.string().optional() }).describe('Who owns the service'),
  })
  .describe('Root descriptions are not allowed by Nova');

const serviceStatus3 = z3
  .object({
    service_name: z3.string().describe('Name of the service to check'),
    region: z3.enum(['us-east-1', 'eu-west-1']).optional().describe('AWS region'),
    include_history: z3.boolean().default(false),
    max_events: z3.number().min(1).max(100).default(10).describe('How many events to return'),
    tags: z3.array(z3.string()).describe('Tags to filter by'),
    owner: z3.object({ team: z3.string(), pager: z3.string().optional() }).describe('Who owns the service'),
  })
  .describe('Root descriptions are not allowed by Nova');

const expectedProperties = {
  service_name: { type: 'string', description: 'Name of the service to check' },
  region: { type: 'string', enum: ['us-east-1', 'eu-west-1'], description: 'AWS region' },
  include_history: { type: 'boolean', default: false },
  max_events: { type: 'number', minimum: 1, maximum: 100, default: 10, description: 'How many events to return' },
  tags: { type: 'array', items: { type: 'string' }, description: 'Tags to filter by' },
};
const ownerBase = {
  type: 'object',
  properties: { team: { type: 'string' }, pager: { type: 'string' } },
  required: ['team'],
  description: 'Who owns the service',
};
// Optional fields and fields with a default are both optional for the caller (io: 'input').
const expectedRequired = ['service_name', 'tags', 'owner'];

function expectCode(fn: () => unknown, pattern: RegExp): ToolDefinitionError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ToolDefinitionError);
  const error = caught as ToolDefinitionError;
  expect(error.code).toBe('TOOL_DEFINITION');
  expect(error.message).toMatch(pattern);
  return error;
}

describe('toNovaInputSchema with zod 4', () => {
  it('converts the full schema, not the empty one zod-to-json-schema would give', () => {
    const schema = toNovaInputSchema(serviceStatus4, 'get_service_status');

    expect(schema).toEqual({
      type: 'object',
      properties: { ...expectedProperties, owner: ownerBase },
      required: expectedRequired,
    });
    expect(Object.keys(schema.properties ?? {})).toHaveLength(6);
  });

  it('documents why zod 4 must never go through zod-to-json-schema', () => {
    // If this starts returning properties, the library learnt zod 4 and the guard can be revisited.
    const viaWrongConverter = zodToJsonSchema(serviceStatus4 as unknown as Parameters<typeof zodToJsonSchema>[0]);
    expect(viaWrongConverter).not.toHaveProperty('properties');
    expect(toNovaInputSchema(serviceStatus4, 'get_service_status')).not.toEqual({ type: 'object', properties: {} });
  });

  it('keeps only type, properties and required at the root', () => {
    const schema = toNovaInputSchema(z.strictObject({ a: z.string() }).meta({ title: 'T', description: 'D' }), 'strict_tool');

    expect(Object.keys(schema).sort()).toEqual(['properties', 'required', 'type']);
    expect(schema).toEqual({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] });
  });

  it('omits required when every field is optional', () => {
    const schema = toNovaInputSchema(z.object({ a: z.string().optional(), b: z.number().default(1) }), 'opt_tool');

    expect(schema).toEqual({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'number', default: 1 } } });
    expect(schema).not.toHaveProperty('required');
  });

  it('gives an empty object schema for z.object({})', () => {
    expect(toNovaInputSchema(z.object({}), 'no_args')).toEqual({ type: 'object', properties: {} });
  });

  it('describes transformed fields by their input type', () => {
    const schema = toNovaInputSchema(z.object({ when: z.string().transform((s) => new Date(s)) }), 'when_tool');

    expect(schema).toEqual({ type: 'object', properties: { when: { type: 'string' } }, required: ['when'] });
  });

  it('inlines a schema that is reused twice', () => {
    const point = z.object({ x: z.number(), y: z.number() });
    const schema = toNovaInputSchema(z.object({ from: point, to: point }), 'line');

    const pointSchema = { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'] };
    expect(schema).toEqual({ type: 'object', properties: { from: pointSchema, to: pointSchema }, required: ['from', 'to'] });
  });

  it('inlines $defs from .meta({ id }) and keeps per-use descriptions', () => {
    const address = z.object({ street: z.string(), city: z.string() }).meta({ id: 'Address' });
    const root = z.object({ home: address, work: address.describe('Office address') });
    // Precondition: zod 4 really emits $defs/$ref here, so the test exercises the inliner.
    expect(JSON.stringify(z.toJSONSchema(root))).toContain('#/$defs/Address');

    const schema = toNovaInputSchema(root, 'set_addresses');

    const addressSchema = {
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
      required: ['street', 'city'],
    };
    expect(schema).toEqual({
      type: 'object',
      properties: { home: addressSchema, work: { ...addressSchema, description: 'Office address' } },
      required: ['home', 'work'],
    });
    expect(JSON.stringify(schema)).not.toMatch(/\$ref|\$defs|\$schema/);
  });

  it('inlines a root that is itself a $ref', () => {
    const root = z.object({ q: z.string() }).meta({ id: 'SearchInput', description: 'dropped at the root' });

    expect(toNovaInputSchema(root, 'search')).toEqual({ type: 'object', properties: { q: { type: 'string' } }, required: ['q'] });
  });

  it('keeps properties whose names look like JSON Schema keywords', () => {
    const schema = toNovaInputSchema(
      z.object({ $defs: z.string(), definitions: z.number(), properties: z.boolean(), $schema: z.string() }),
      'keyword_names',
    );

    expect(schema).toEqual({
      type: 'object',
      properties: {
        $defs: { type: 'string' },
        definitions: { type: 'number' },
        properties: { type: 'boolean' },
        $schema: { type: 'string' },
      },
      required: ['$defs', 'definitions', 'properties', '$schema'],
    });
  });

  it('does not treat a default value with a $ref key as a reference', () => {
    const schema = toNovaInputSchema(z.object({ link: z.object({ $ref: z.string() }).default({ $ref: '#/nowhere' }) }), 'links');

    expect(schema.properties).toMatchObject({ link: { default: { $ref: '#/nowhere' } } });
  });

  it('rejects a recursive schema built with z.lazy', () => {
    type Category = { name: string; children: Category[] };
    const category: z.ZodType<Category> = z.lazy(() => z.object({ name: z.string(), children: z.array(category) }));

    const error = expectCode(() => toNovaInputSchema(z.object({ root: category }), 'tree_tool'), /recursive schemas are not supported/);
    expect(error.message).toMatch(/Flatten it/);
    expect(error.toolName).toBe('tree_tool');
  });

  it('rejects a recursive schema built with a getter', () => {
    const node = z.object({
      name: z.string(),
      get children() {
        return z.array(node);
      },
    });

    expectCode(() => toNovaInputSchema(node, 'getter_tree'), /recursive/);
  });

  it.each([
    ['a string', z.string(), /got a string schema/],
    ['an array', z.array(z.string()), /got an array schema/],
    ['a union', z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]), /got a union/],
    ['a nullable object', z.object({ a: z.string() }).nullable(), /got a union/],
    ['a union of primitives', z.union([z.string(), z.number()]), /got a schema of type string \| number/],
    ['a record', z.record(z.string(), z.number()), /record\/map/],
  ])('rejects %s as the root', (_label, schema, detail) => {
    const error = expectCode(() => toNovaInputSchema(schema, 'bad_root'), /z\.object\(\{ \.\.\. \}\)/);
    expect(error.message).toMatch(detail);
  });
});

describe('toNovaInputSchema with zod 3', () => {
  it('converts the same tool to the same schema (plus nested additionalProperties)', () => {
    const schema = toNovaInputSchema(serviceStatus3, 'get_service_status');

    expect(schema).toEqual({
      type: 'object',
      properties: { ...expectedProperties, owner: { ...ownerBase, additionalProperties: false } },
      required: expectedRequired,
    });
    expect(Object.keys(schema).sort()).toEqual(['properties', 'required', 'type']);
  });

  it('inlines a reused sub-schema (zod-to-json-schema emits #/properties/... pointers)', () => {
    const point = z3.object({ x: z3.number(), y: z3.number() });
    const root = z3.object({ from: point, to: point });
    expect(JSON.stringify(zodToJsonSchema(root as unknown as Parameters<typeof zodToJsonSchema>[0]))).toContain(
      '"$ref":"#/properties/from"',
    );

    const pointSchema = {
      type: 'object',
      properties: { x: { type: 'number' }, y: { type: 'number' } },
      required: ['x', 'y'],
      additionalProperties: false,
    };
    expect(toNovaInputSchema(root, 'line')).toEqual({
      type: 'object',
      properties: { from: pointSchema, to: pointSchema },
      required: ['from', 'to'],
    });
  });

  it('describes pipes and transforms by their input type', () => {
    const root = z3.object({ n: z3.string().pipe(z3.coerce.number()), len: z3.string().transform((s) => s.length) });

    expect(toNovaInputSchema(root, 'pipes')).toEqual({
      type: 'object',
      properties: { n: { type: 'string' }, len: { type: 'string' } },
      required: ['n', 'len'],
    });
  });

  it('rejects a recursive schema built with z.lazy instead of silently accepting anything', () => {
    type Category = { name: string; children: Category[] };
    const category: z3.ZodType<Category> = z3.lazy(() => z3.object({ name: z3.string(), children: z3.array(category) }));

    expectCode(() => toNovaInputSchema(z3.object({ root: category }), 'tree_tool'), /recursive schemas are not supported by Amazon Nova/);
  });

  it('rejects a non-object root', () => {
    expectCode(() => toNovaInputSchema(z3.number(), 'bad_root'), /got a number schema.*z\.object/);
    expectCode(() => toNovaInputSchema(z3.object({ a: z3.string() }).nullable(), 'bad_root'), /got a union/);
  });
});

describe('toNovaInputSchema with other input', () => {
  it.each([
    ['a plain JSON schema object', { type: 'object', properties: {} }],
    ['null', null],
    ['a string', 'z.object()'],
  ])('rejects %s as not a zod schema', (_label, value) => {
    expectCode(() => toNovaInputSchema(value, 'not_zod'), /not a zod schema.*z\.object/);
  });
});
