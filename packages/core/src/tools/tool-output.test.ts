import { describe, expect, it } from 'vitest';
import { NovaloopError } from '../errors.js';
import { toolResultText, toToolResultContent } from './tool-output.js';

function outputError(value: unknown): NovaloopError {
  let caught: unknown;
  try {
    toToolResultContent(value);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(NovaloopError);
  const error = caught as NovaloopError;
  expect(error.code).toBe('TOOL_OUTPUT');
  expect(error.message).toMatch(/Return JSON-serialisable data/);
  return error;
}

describe('toToolResultContent', () => {
  it('sends a non-empty string as text', () => {
    expect(toToolResultContent('all services healthy')).toEqual([{ text: 'all services healthy' }]);
  });

  it('sends a plain object as a json block', () => {
    expect(toToolResultContent({ healthy: true, latencyMs: 12, regions: ['us-east-1'] })).toEqual([
      { json: { healthy: true, latencyMs: 12, regions: ['us-east-1'] } },
    ]);
  });

  it('sends a JSON-safe copy: Dates become strings, undefined properties vanish', () => {
    const input = { at: new Date('2024-05-01T10:00:00.000Z'), note: undefined, nested: { n: 1 } };

    const [block] = toToolResultContent(input);
    expect(block).toEqual({ json: { at: '2024-05-01T10:00:00.000Z', nested: { n: 1 } } });
    expect(Object.keys(block?.json as object)).toEqual(['at', 'nested']);
    expect((block?.json as { nested: unknown }).nested).not.toBe(input.nested);
  });

  it('turns a class instance into a plain object', () => {
    class Status {
      readonly service = 'checkout';
      healthy = true;
      describe(): string {
        return 'ok';
      }
    }

    const [block] = toToolResultContent(new Status());
    expect(block).toEqual({ json: { service: 'checkout', healthy: true } });
    expect(Object.getPrototypeOf(block?.json)).toBe(Object.prototype);
  });

  it.each([
    ['an array', [1, 2, 3], [1, 2, 3]],
    ['an empty array', [], []],
    ['a number', 42, 42],
    ['zero', 0, 0],
    ['true', true, true],
    ['false', false, false],
    ['null', null, null],
    ['an empty string', '', ''],
    ['a Date (its JSON form is a string)', new Date('2024-05-01T00:00:00.000Z'), '2024-05-01T00:00:00.000Z'],
  ])('wraps %s in { result } because Bedrock needs a json object', (_label, value, result) => {
    expect(toToolResultContent(value)).toEqual([{ json: { result } }]);
  });

  it('says in words that nothing was returned for undefined', () => {
    expect(toToolResultContent(undefined)).toEqual([{ text: '(the tool returned no output)' }]);
  });

  it('rejects a BigInt', () => {
    expect(outputError({ id: 10n }).message).toMatch(/BigInt/);
  });

  it('rejects a circular structure', () => {
    const node: { name: string; self?: unknown } = { name: 'loop' };
    node.self = node;

    expect(outputError(node).message).toMatch(/circular/i);
  });

  it('rejects a function, which JSON.stringify drops silently', () => {
    expect(outputError(() => 1).message).toMatch(/function has no JSON form/);
  });
});

describe('toolResultText', () => {
  it('joins text blocks as they are and json blocks as JSON', () => {
    expect(toolResultText([{ text: 'plain' }, { json: { a: 1 } }])).toBe('plain\n{"a":1}');
  });
});

describe('toToolResultContent: JSON conversion', () => {
  class Point {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  let deep: unknown = 'bottom';
  for (let i = 0; i < 40; i++) deep = { next: deep };
  const values: Record<string, unknown> = {
    plain: { a: 1, b: 'two', c: [true, null, 3.5], d: { e: [] } },
    integerKeys: { b: 1, 2: 'x', a: 2, 1: 'y' },
    nullPrototype: Object.assign(Object.create(null) as object, { a: 1 }),
    date: { at: new Date(Date.UTC(2026, 10, 28)) },
    classInstance: new Point(1, 2),
    undefinedMember: { a: undefined, b: 1 },
    undefinedInArray: [1, undefined, 3],
    // eslint-disable-next-line no-sparse-arrays -- a hole is the case under test
    holes: [1, , 3],
    negativeZero: { z: -0 },
    notFinite: { n: NaN, i: Infinity },
    toJSON: { toJSON: () => ({ replaced: true }) },
    protoKey: JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
    deep,
    array: [1, 'a', { b: [2] }],
    number: 42,
  };

  for (const [name, value] of Object.entries(values)) {
    it(`gives what a JSON round trip gives: ${name}`, () => {
      const [block] = toToolResultContent(value);
      const json = JSON.parse(JSON.stringify(value)) as unknown;
      const expected = typeof json === 'object' && json !== null && !Array.isArray(json) ? json : { result: json };
      expect(block?.json).toStrictEqual(expected);
      // A copy: changing the tool's value afterwards does not change the result.
      if (typeof value === 'object' && value !== null) expect(block?.json).not.toBe(value);
    });
  }

  it('keeps "__proto__" as a property, as JSON.parse does, without touching prototypes', () => {
    const [block] = toToolResultContent(values.protoKey);
    expect(Object.getPrototypeOf(block?.json)).toBe(Object.prototype);
    expect(Object.keys(block?.json as object)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('reports a cycle as a TOOL_OUTPUT error', () => {
    expect(() => toToolResultContent(cyclic)).toThrow(/cannot be converted to JSON/);
  });

  it('reports a getter that throws as a TOOL_OUTPUT error', () => {
    const bad = {
      get broken(): never {
        throw new Error('no');
      },
    };
    expect(() => toToolResultContent(bad)).toThrow(/cannot be converted to JSON \(no\)/);
  });
});
