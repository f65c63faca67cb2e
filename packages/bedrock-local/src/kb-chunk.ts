import { countTextTokens } from './tokens.js';

export interface ChunkOptions {
  /** Largest chunk, in bedrock-local tokens (about 4 characters each). Bedrock's default fixed-size chunking is 300. */
  maxTokens: number;
  /** Text carried over from the end of one chunk to the start of the next (Bedrock's default overlap is 20 %). */
  overlapTokens: number;
}

export interface TextChunk {
  text: string;
  /** The Markdown headings the chunk sits under, outermost first. */
  headings: string[];
}

/**
 * Fixed-size chunking on paragraph boundaries, like a Bedrock knowledge base's default strategy:
 * paragraphs are packed into chunks of at most `maxTokens`, a paragraph too long for one chunk is
 * cut between words, and each chunk starts with the previous chunk's last paragraph when that fits
 * in `overlapTokens`. A Markdown heading starts a new chunk, so a chunk never mixes sections; a
 * heading directly followed by another heading stays with it rather than becoming a chunk alone.
 */
export function chunkText(text: string, options: ChunkOptions): TextChunk[] {
  const chunks: TextChunk[] = [];
  const headings: string[] = [];
  let current: string[] = [];
  let currentTokens = 0;
  let currentHeadings: string[] = [];
  let hasBody = false;

  const flush = (carryOver: boolean) => {
    if (current.length === 0) return;
    chunks.push({ text: current.join('\n\n'), headings: currentHeadings });
    const last = current[current.length - 1] as string;
    const keep = carryOver && countTextTokens(last) <= options.overlapTokens && current.length > 1;
    current = keep ? [last] : [];
    currentTokens = keep ? countTextTokens(last) : 0;
    hasBody = keep;
  };

  for (const paragraph of paragraphs(text)) {
    const heading = /^(#{1,6})\s+(.+?)\s*#*$/.exec(paragraph);
    if (heading) {
      if (hasBody) flush(false);
      const level = (heading[1] as string).length;
      headings.length = Math.min(headings.length, level - 1);
      headings.push((heading[2] as string).trim());
      currentHeadings = [...headings];
    }
    for (const piece of splitLong(paragraph, options.maxTokens)) {
      const tokens = countTextTokens(piece);
      if (currentTokens > 0 && currentTokens + tokens > options.maxTokens) flush(true);
      if (current.length === 0) currentHeadings = [...headings];
      current.push(piece);
      currentTokens += tokens;
      if (!heading) hasBody = true;
    }
  }
  flush(false);
  return chunks;
}

function paragraphs(text: string): string[] {
  const out: string[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    // A heading line glued to its first paragraph is still its own unit.
    const lines = block.split('\n');
    let buffer: string[] = [];
    for (const line of lines) {
      if (/^#{1,6}\s/.test(line)) {
        if (buffer.join('\n').trim() !== '') out.push(buffer.join('\n').trim());
        out.push(line.trim());
        buffer = [];
      } else {
        buffer.push(line);
      }
    }
    if (buffer.join('\n').trim() !== '') out.push(buffer.join('\n').trim());
  }
  return out;
}

function splitLong(paragraph: string, maxTokens: number): string[] {
  if (countTextTokens(paragraph) <= maxTokens) return [paragraph];
  const pieces: string[] = [];
  let piece = '';
  for (const word of paragraph.split(/\s+/)) {
    const next = piece === '' ? word : `${piece} ${word}`;
    if (piece !== '' && countTextTokens(next) > maxTokens) {
      pieces.push(piece);
      piece = word;
    } else {
      piece = next;
    }
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}
