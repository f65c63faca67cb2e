import type { ContentBlock, Message, ToolResultContentBlock } from '@aws-sdk/client-bedrock-runtime';

/** Tokens charged per message for role markers, as on bedrock-local. */
const MESSAGE_OVERHEAD_TOKENS = 3;
/** Images, video and documents: a flat guess, as on bedrock-local (Nova's real figure varies with size). */
const MEDIA_TOKENS = 1_000;

export const textTokens = (text: string): number => Math.ceil(text.length / 4);

/**
 * novaloop's token estimate: about 4 characters a token (Nova's ratio for English), tool blocks by
 * their JSON text. It is the same rule bedrock-local charges, so tests can check budgets exactly; on
 * Bedrock it is an estimate, which is why `maxInputTokens` should keep a margin below the window.
 */
export function estimateTokens(message: Message): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS;
  for (const block of message.content ?? []) tokens += blockTokens(block);
  return tokens;
}

function blockTokens(block: ContentBlock | ToolResultContentBlock): number {
  if (block.text !== undefined) return textTokens(block.text);
  if ('toolUse' in block && block.toolUse)
    return textTokens(block.toolUse.name ?? '') + textTokens(JSON.stringify(block.toolUse.input ?? {}));
  if ('toolResult' in block && block.toolResult) {
    let total = 0;
    for (const part of block.toolResult.content ?? []) total += blockTokens(part);
    return total;
  }
  if ('json' in block && block.json !== undefined) return textTokens(JSON.stringify(block.json));
  if (block.image || block.video) return MEDIA_TOKENS;
  if (block.document) return MEDIA_TOKENS;
  if ('cachePoint' in block && block.cachePoint) return 0;
  if ('reasoningContent' in block && block.reasoningContent) return textTokens(block.reasoningContent.reasoningText?.text ?? '');
  return textTokens(JSON.stringify(block));
}

/** Token counts per message object, so a message is counted once however many steps send it. */
export function memoised(count: (message: Message) => number): (message: Message) => number {
  const cache = new WeakMap<Message, number>();
  return (message) => {
    let tokens = cache.get(message);
    if (tokens === undefined) {
      tokens = count(message);
      cache.set(message, tokens);
    }
    return tokens;
  };
}

export function tokensFrom(messages: readonly Message[], start: number, count: (message: Message) => number): number {
  let total = 0;
  for (let i = start; i < messages.length; i++) total += count(messages[i] as Message);
  return total;
}
