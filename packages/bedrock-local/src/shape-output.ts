import { countBlockTokens, countTextTokens } from './tokens.js';
import { isObject, type ContentBlock, type StopReason } from './wire-types.js';

export interface ShapedOutput {
  content: ContentBlock[];
  stopReason: StopReason;
  outputTokens: number;
  /**
   * The budget ran out inside a toolUse. Nova does not return half a tool call: it fails with the
   * "invalid sequence as part of ToolUse" ModelErrorException (in a stream, after the blocks before it).
   */
  truncatedToolUse: boolean;
}

/**
 * Shapes a scripted turn into what the model would return under the request's limits: text cut at
 * the first stop sequence (`stop_sequence`), then everything cut at `maxTokens` output tokens.
 */
export function shapeOutput(
  content: readonly ContentBlock[],
  stopReason: StopReason,
  maxTokens: number,
  stopSequences: readonly string[] = [],
): ShapedOutput {
  const stopped = applyStopSequences(content, stopSequences);
  return applyMaxTokens(stopped?.content ?? content, stopped ? 'stop_sequence' : stopReason, maxTokens);
}

function applyStopSequences(content: readonly ContentBlock[], stopSequences: readonly string[]) {
  if (stopSequences.length === 0) return undefined;
  for (let i = 0; i < content.length; i++) {
    const block = content[i];
    if (!isObject(block) || typeof block.text !== 'string') continue;
    let cut = -1;
    for (const sequence of stopSequences) {
      const at = sequence ? block.text.indexOf(sequence) : -1;
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut < 0) continue;
    const head = block.text.slice(0, cut);
    return { content: [...content.slice(0, i), ...(head ? [{ text: head }] : [])] };
  }
  return undefined;
}

/** Cuts a turn to `maxTokens` output tokens, as the model would stop generating. */
function applyMaxTokens(content: readonly ContentBlock[], stopReason: StopReason, maxTokens: number): ShapedOutput {
  const kept: ContentBlock[] = [];
  let used = 0;
  for (const block of content) {
    const cost = countBlockTokens(block);
    if (used + cost <= maxTokens) {
      kept.push(block);
      used += cost;
      continue;
    }
    const left = maxTokens - used;
    if (isObject(block) && typeof block.text === 'string') {
      const text = block.text.slice(0, left * 4);
      if (text.length > 0) {
        kept.push({ text });
        used += countTextTokens(text);
      }
      return { content: kept, stopReason: 'max_tokens', outputTokens: used, truncatedToolUse: false };
    }
    if (isObject(block) && 'toolUse' in block) {
      return { content: kept, stopReason: 'max_tokens', outputTokens: used, truncatedToolUse: true };
    }
    return { content: kept, stopReason: 'max_tokens', outputTokens: used, truncatedToolUse: false };
  }
  return { content: kept, stopReason, outputTokens: used, truncatedToolUse: false };
}
