import { describe, expect, it } from 'vitest';
import { SessionAttributeState } from './session-attributes.js';
import type { JsonValue } from '../json.js';

describe('SessionAttributeState', () => {
  it('starts from the stored attributes, unchanged and as the same object', () => {
    const stored = { tier: 'gold' };
    const state = new SessionAttributeState(stored, undefined);
    expect(state.current).toBe(stored);
    expect(state.changed).toBe(false);
  });

  it("merges the run's attributes over the stored ones into a new object, and counts that as a change", () => {
    const stored = { tier: 'gold', locale: 'en' };
    const state = new SessionAttributeState(stored, { locale: 'fr' });
    expect(state.current).toEqual({ tier: 'gold', locale: 'fr' });
    expect(state.changed).toBe(true);
    expect(stored).toEqual({ tier: 'gold', locale: 'en' });
  });

  it('treats empty run attributes as no change', () => {
    const state = new SessionAttributeState(undefined, {});
    expect(state.current).toEqual({});
    expect(state.changed).toBe(false);
  });

  it('copies on write: an object read before a set or a removal never changes', () => {
    const state = new SessionAttributeState({ a: 1, b: 2 }, undefined);
    const before = state.current;
    state.set('c', [1, { d: null }]);
    const afterSet = state.current;
    state.set('a', undefined);
    expect(before).toEqual({ a: 1, b: 2 });
    expect(afterSet).toEqual({ a: 1, b: 2, c: [1, { d: null }] });
    expect(state.current).toEqual({ b: 2, c: [1, { d: null }] });
    expect(state.current).not.toBe(afterSet);
    expect('a' in state.current).toBe(false);
  });

  it('marks a set as a change until markSaved', () => {
    const state = new SessionAttributeState(undefined, undefined);
    state.set('k', 'v');
    expect(state.changed).toBe(true);
    state.markSaved();
    expect(state.changed).toBe(false);
    expect(state.current).toEqual({ k: 'v' });
  });

  it.each<[string, unknown]>([
    ['a Date', new Date(0)],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a function', () => 1],
    ['a bigint', 1n],
    ['a Map', new Map()],
    ['a class instance', new (class Point {})()],
    ['an array holding undefined', [1, undefined]],
    ['an object nesting a Date', { when: { at: new Date(0) } }],
  ])('rejects %s with a TypeError naming the key, and changes nothing', (_name, value) => {
    const state = new SessionAttributeState({ a: 1 }, undefined);
    const before = state.current;
    expect(() => state.set('bad', value as JsonValue)).toThrow(
      new TypeError(`Session attribute "bad" must be a JSON value (string, number, boolean, null, array or plain object).`),
    );
    expect(state.current).toBe(before);
    expect(state.changed).toBe(false);
  });

  it('accepts every JSON value, including objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as Record<string, JsonValue>, { x: 1 });
    const state = new SessionAttributeState(undefined, undefined);
    for (const value of ['s', 0, -1.5, true, false, null, [], {}, [[{ a: ['b'] }]], bare] as JsonValue[]) {
      state.set('v', value);
      expect(state.current.v).toBe(value);
    }
  });

  it('gives tools a plain view with only attributes and set, whose set works detached', () => {
    const state = new SessionAttributeState({ a: 1 }, undefined);
    const session = state.toolSession;
    expect(Object.keys(session).sort()).toEqual(['attributes', 'set']);
    const { set } = session;
    set('b', 2);
    expect(session.attributes).toBe(state.current);
    expect(session.attributes).toEqual({ a: 1, b: 2 });
    expect(state.changed).toBe(true);
    expect(() => set('c', new Date() as never)).toThrow(TypeError);
  });
});
