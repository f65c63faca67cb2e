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
