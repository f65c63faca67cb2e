import { tool } from '@novaloop/core';
import { describe, expect, it } from 'vitest';
import { jsonSchemaToZod, objectSchema, SchemaProblem } from './json-schema-to-zod.js';

// The schema core sends to Nova for an OpenAPI object schema, via the zod schema made from it.
const novaSchema = (schema: Record<string, unknown>) =>
  tool({ name: 't', description: 'd', input: objectSchema(schema, 'x'), run: () => 1 }).inputSchema;

describe('OpenAPI schemas as tool inputs', () => {
  it('carry types, enums, arrays, nesting, limits, descriptions and required', () => {
    expect(
      novaSchema({
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, description: 'The name' },
          size: { type: 'integer', minimum: 1, maximum: 10 },
          kind: { type: 'string', enum: ['a', 'b'] },
          tags: { type: 'array', items: { type: 'string' } },
          owner: { type: 'object', properties: { team: { type: 'string' } }, required: ['team'] },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, description: 'The name' },
        size: { type: 'integer', minimum: 1, maximum: 10 },
        kind: { type: 'string', enum: ['a', 'b'] },
        tags: { type: 'array', items: { type: 'string' } },
        owner: { type: 'object', properties: { team: { type: 'string' } }, required: ['team'] },
      },
      required: ['name'],
    });
  });

  it('merge allOf objects, accept nullable and oneOf, and validate what the model sends', async () => {
    const schema = objectSchema(
      {
        properties: {
          both: {
            allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'number' } } }],
          },
          maybe: { type: 'string', nullable: true },
          either: { oneOf: [{ type: 'string' }, { type: 'number' }] },
          level: { enum: [1, 2] },
        },
        required: ['both'],
      },
      'x',
    );
    expect((await schema.safeParseAsync({ both: { a: 'x', b: 2 }, maybe: null, either: 3, level: 2 })).success).toBe(true);
    expect((await schema.safeParseAsync({ both: { b: 2 } })).success).toBe(false);
    expect((await schema.safeParseAsync({ both: { a: 'x' }, level: 3 })).success).toBe(false);
  });

  it('refuse a type JSON Schema does not have, and allOf of non-objects', () => {
    expect(() => jsonSchemaToZod({ type: 'date' }, 'p')).toThrow(SchemaProblem);
    expect(() => jsonSchemaToZod({ allOf: [{ type: 'string' }] }, 'p')).toThrow(/allOf combines non-object schemas/);
  });
});
