import { describe, expect, it } from 'vitest';
import { createRedactor } from './redact.js';

describe('createRedactor', () => {
  const redact = createRedactor();

  it('hides secret keys case-insensitively, with - and _ ignored and as a suffix, at any depth', () => {
    expect(
      redact({
        Password: 'a',
        client_secret: 'b',
        'X-Api-Key': 'c',
        nested: [{ Authorization: 'd', sessionToken: 'e', ok: 'visible' }],
        inputTokens: 12,
      }),
    ).toEqual({
      Password: '[REDACTED]',
      client_secret: '[REDACTED]',
      'X-Api-Key': '[REDACTED]',
      nested: [{ Authorization: '[REDACTED]', sessionToken: '[REDACTED]', ok: 'visible' }],
      inputTokens: 12,
    });
  });

  it('hides AWS access key ids, secret-shaped strings, bearer tokens and PEM keys inside text; leaves hex digests', () => {
    const sha1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
    const text = [
      'id AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A',
      'secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.',
      'Authorization: Bearer abc.def-ghi_jkl',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----',
      `commit ${sha1}`,
    ].join('\n');
    const out = redact(text) as string;
    expect(out).toBe(
      ['id [REDACTED] and [REDACTED]', 'secret [REDACTED].', 'Authorization: [REDACTED]', '[REDACTED]', `commit ${sha1}`].join('\n'),
    );
  });

  it('redacts JSON held in a string by key too, and keeps it JSON', () => {
    const out = redact('{"user":"ops","password":"p4ss","note":"AKIAIOSFODNN7EXAMPLE"}') as string;
    expect(JSON.parse(out)).toEqual({ user: 'ops', password: '[REDACTED]', note: '[REDACTED]' });
  });

  it('takes extra keys and patterns, a replacement, and can drop the defaults or switch off', () => {
    const custom = createRedactor({ keys: ['ssn'], patterns: [/\b\d{4}-\d{4}\b/], replacement: '***' });
    expect(custom({ ssn: 1, card: 'card 1234-5678', password: 'x' })).toEqual({ ssn: '***', card: 'card ***', password: '***' });
    expect(createRedactor({ defaults: false, keys: ['ssn'] })({ ssn: 1, password: 'x' })).toEqual({ ssn: '[REDACTED]', password: 'x' });
    expect(createRedactor(false)({ password: 'x', key: 'AKIAIOSFODNN7EXAMPLE' })).toEqual({ password: 'x', key: 'AKIAIOSFODNN7EXAMPLE' });
  });

  it('returns JSON-ready data: dates as ISO strings, errors as name/code/message, cycles cut, undefined dropped', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const error = Object.assign(new Error('failed with AKIAIOSFODNN7EXAMPLE'), { code: 'E_X' });
    expect(redact({ at: new Date(0), error, cyclic, gone: undefined, n: Number.NaN })).toEqual({
      at: '1970-01-01T00:00:00.000Z',
      error: { name: 'Error', code: 'E_X', message: 'failed with [REDACTED]' },
      cyclic: { a: 1, self: '[Circular or too deep]' },
      n: null,
    });
  });
});
