import { describe, expect, it } from 'vitest';
import { AgentConfigError, isNovaloopError, NovaloopError, type NovaloopErrorCode } from './errors.js';

describe('isNovaloopError', () => {
  it('holds for every NovaloopError, and for one made by another copy of the package', () => {
    expect(isNovaloopError(new AgentConfigError('bad'))).toBe(true);
    expect(isNovaloopError(new NovaloopError('INTERNAL', 'x'))).toBe(true);
    // Another copy of @novaloop/core has its own class, but registers the same symbol.
    class OtherCopyError extends Error {
      readonly code: NovaloopErrorCode = 'SESSION_STORE';
      constructor() {
        super('from another copy');
        Object.defineProperty(this, Symbol.for('novaloop.error'), { value: true });
      }
    }
    const foreign = new OtherCopyError();
    expect(foreign instanceof NovaloopError).toBe(false);
    expect(isNovaloopError(foreign)).toBe(true);
  });

  it('does not hold for other errors and values', () => {
    expect(isNovaloopError(new Error('plain'))).toBe(false);
    expect(isNovaloopError(Object.assign(new Error('coded'), { code: 'AGENT_CONFIG' }))).toBe(false);
    expect(isNovaloopError(undefined)).toBe(false);
    expect(isNovaloopError('AGENT_CONFIG')).toBe(false);
  });
});
