import { isObject, type ContentBlock, type ConverseRequestBody } from './wire-types.js';

/**
 * bedrock-local's tokenizer. It is not Nova's (which is not public); it is deterministic, cheap, and
 * the same for every request, so token and cost comparisons between two clients are exact:
 * - a string costs ceil(length / 4) tokens (UTF-16 code units; roughly Nova's English ratio);
 * - tool input, tool results in json, tool specs: their JSON text, counted the same way;
 * - each message adds 3 tokens (role markers); an image or video costs a flat 1,000;
 * - cachePoint blocks cost nothing.
 */
export const countTextTokens = (text: string): number => Math.ceil(text.length / 4);

export const MESSAGE_OVERHEAD_TOKENS = 3;
export const MEDIA_TOKENS = 1_000;

/** One piece of the prompt, in the order Bedrock reads it: tools, then system, then messages. */
export interface PromptSegment {
  tokens: number;
  /** Stable identity of the piece, for prompt-cache prefix hashing. Only built when caching is used. */
  key: () => string;
  /** Set when the segment is a cachePoint; `field` says where it stands. */
  cachePoint?: { field: 'tools' | 'system' | 'messages'; ttlMs: number };
}

const FIVE_MINUTES = 5 * 60_000;
const ttlMs = (ttl: unknown): number => (ttl === '1h' ? 60 * 60_000 : FIVE_MINUTES);

export function countBlockTokens(block: ContentBlock): number {
  if (!isObject(block)) return 0;
  if (typeof block.text === 'string') return countTextTokens(block.text);
  if (isObject(block.toolUse)) {
    const { name, input } = block.toolUse;
    return countTextTokens(String(name ?? '')) + countTextTokens(JSON.stringify(input ?? {}));
  }
  if (isObject(block.toolResult)) {
    const content = Array.isArray(block.toolResult.content) ? block.toolResult.content : [];
    let total = 0;
    for (const part of content as ContentBlock[]) {
      if (isObject(part) && 'json' in part) total += countTextTokens(JSON.stringify(part.json));
      else total += countBlockTokens(part);
    }
    return total;
  }
  if (isObject(block.reasoningContent)) {
    const reasoning = block.reasoningContent.reasoningText;
    return isObject(reasoning) && typeof reasoning.text === 'string' ? countTextTokens(reasoning.text) : 0;
  }
  if ('image' in block || 'video' in block) return MEDIA_TOKENS;
  if (isObject(block.document)) return countTextTokens(JSON.stringify(block.document.source ?? ''));
  if ('cachePoint' in block) return 0;
  return countTextTokens(JSON.stringify(block));
}

/** The prompt as ordered segments; their token sum is the request's input tokens. */
export function promptSegments(body: ConverseRequestBody): PromptSegment[] {
  const segments: PromptSegment[] = [];
  const push = (item: unknown, tokens: number, field: 'tools' | 'system' | 'messages') => {
    if (isObject(item) && isObject(item.cachePoint)) {
      segments.push({ tokens: 0, key: () => 'cachePoint', cachePoint: { field, ttlMs: ttlMs(item.cachePoint.ttl) } });
    } else {
      segments.push({ tokens, key: () => JSON.stringify(item) });
    }
  };
  for (const tool of body.toolConfig?.tools ?? []) {
    push(tool, isObject(tool) && 'toolSpec' in tool ? countTextTokens(JSON.stringify(tool.toolSpec)) : 0, 'tools');
  }
  for (const block of body.system ?? []) push(block, countBlockTokens(block as ContentBlock), 'system');
  for (const message of body.messages) {
    segments.push({ tokens: MESSAGE_OVERHEAD_TOKENS, key: () => `role:${message.role}` });
    for (const block of message.content) push(block, countBlockTokens(block), 'messages');
  }
  return segments;
}

export const countOutputTokens = (content: readonly ContentBlock[]): number =>
  content.reduce((sum, block) => sum + countBlockTokens(block), 0);
