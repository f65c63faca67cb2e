import { describe, expect, it } from 'vitest';
import { chunkText } from './kb-chunk.js';
import { countTextTokens } from './tokens.js';

describe('chunkText', () => {
  it('starts a chunk at every heading and records the heading path', () => {
    const chunks = chunkText('# Title\n\nintro\n\n## A\n\nalpha text\n\n### A1\n\ndeep\n\n## B\n\nbeta', {
      maxTokens: 300,
      overlapTokens: 60,
    });
    expect(chunks.map((c) => c.headings)).toEqual([['Title'], ['Title', 'A'], ['Title', 'A', 'A1'], ['Title', 'B']]);
    expect(chunks[1]?.text).toBe('## A\n\nalpha text');
  });

  it('packs paragraphs up to maxTokens, carries the last one over, and cuts a long paragraph between words', () => {
    const para = (n: number) => `p${n} ${'word '.repeat(7).trim()}`; // about 10 tokens each
    const text = [1, 2, 3, 4, 5].map(para).join('\n\n');
    const chunks = chunkText(text, { maxTokens: 25, overlapTokens: 12 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(countTextTokens(chunk.text)).toBeLessThanOrEqual(25);
    // The overlap: each chunk after the first begins with the previous chunk's last paragraph.
    expect(chunks[1]?.text.startsWith(chunks[0]?.text.split('\n\n').at(-1) ?? '-')).toBe(true);
    const long = chunkText('x '.repeat(400), { maxTokens: 50, overlapTokens: 0 });
    expect(long.length).toBeGreaterThan(1);
    for (const chunk of long) expect(countTextTokens(chunk.text)).toBeLessThanOrEqual(50);
  });
});
