import { describe, expect, it } from 'vitest';
import { countBlockTokens, countOutputTokens, countTextTokens, promptSegments, MEDIA_TOKENS } from './tokens.js';

describe('token counting', () => {
  it('counts ceil(length / 4) per text and JSON for tool blocks', () => {
    expect(countTextTokens('')).toBe(0);
    expect(countTextTokens('abcd')).toBe(1);
    expect(countTextTokens('abcde')).toBe(2);
    expect(countBlockTokens({ toolUse: { toolUseId: 't', name: 'get_x', input: { a: 1 } } })).toBe(
      countTextTokens('get_x') + countTextTokens('{"a":1}'),
    );
    expect(countBlockTokens({ toolResult: { toolUseId: 't', content: [{ json: { ok: true } }, { text: 'done' }] } })).toBe(
      countTextTokens('{"ok":true}') + 1,
    );
    expect(countBlockTokens({ image: { format: 'png', source: { bytes: 'AAAA' } } })).toBe(MEDIA_TOKENS);
    expect(countBlockTokens({ cachePoint: { type: 'default' } })).toBe(0);
    expect(countOutputTokens([{ text: 'abcd' }, { text: 'efgh' }])).toBe(2);
  });

  it('orders prompt segments tools, system, messages and adds 3 tokens per message', () => {
    const segments = promptSegments({
      toolConfig: { tools: [{ toolSpec: { name: 'a', inputSchema: { json: { type: 'object' } } } }, { cachePoint: { type: 'default' } }] },
      system: [{ text: 'sys!' }],
      messages: [{ role: 'user', content: [{ text: 'hi' }] }],
    });
    expect(segments.map((s) => (s.cachePoint ? `cache:${s.cachePoint.field}` : s.key()))).toEqual([
      JSON.stringify({ toolSpec: { name: 'a', inputSchema: { json: { type: 'object' } } } }),
      'cache:tools',
      JSON.stringify({ text: 'sys!' }),
      'role:user',
      JSON.stringify({ text: 'hi' }),
    ]);
    expect(segments.reduce((n, s) => n + s.tokens, 0)).toBe(countTextTokens(segments[0]!.key().slice(12, -1)) + 1 + 3 + 1);
  });
});
