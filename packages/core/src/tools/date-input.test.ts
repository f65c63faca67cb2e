import { describe, expect, it } from 'vitest';
import { z as z4 } from 'zod';
import { z as z3 } from 'zod3';
import { ToolDefinitionError } from '../errors.js';
import { tool } from './tool.js';

const define = (input: unknown) => () =>
  tool({ name: 'schedule', description: 'Schedules a job', input: input as never, run: async (value: unknown) => value });

describe.each([
  ['zod 4', z4 as unknown as typeof z3],
  ['zod 3', z3],
])('a z.date() tool input (%s)', (_name, z) => {
  it('is rejected when the tool is defined, naming the field and what to use instead', () => {
    const define1 = define(z.object({ job: z.string(), at: z.date() }));
    expect(define1).toThrow(ToolDefinitionError);
    expect(define1).toThrow(/Tool schedule: input\.at is z\.date\(\).*JSON has no dates.*z\.string\(\)\.datetime\(\).*z\.coerce\.date\(\)/);
  });

  it('is found however deep: optional, nullable, arrays, unions, nested objects', () => {
    expect(define(z.object({ when: z.object({ at: z.date().optional() }) }))).toThrow(/input\.when\.at is z\.date\(\)/);
    expect(define(z.object({ times: z.array(z.date()) }))).toThrow(/input\.times\[\] is z\.date\(\)/);
    expect(define(z.object({ at: z.union([z.number(), z.date().nullable()]) }))).toThrow(/input\.at is z\.date\(\)/);
  });

  it('z.coerce.date() and ISO strings are accepted, and a coerced date arrives as a Date', async () => {
    const coerced = define(z.object({ at: z.coerce.date() }))();
    expect(define(z.object({ at: z.string().datetime() }))).not.toThrow();
    // The model is told to send an ISO string, by either zod.
    expect(coerced.inputSchema.properties).toEqual({ at: { type: 'string', format: 'date-time' } });
    const parsed = await coerced.parseInput({ at: '2026-11-28T03:00:00Z' });
    expect(parsed).toMatchObject({ ok: true });
    expect((parsed as { value: { at: Date } }).value.at).toEqual(new Date('2026-11-28T03:00:00Z'));
  });
});
