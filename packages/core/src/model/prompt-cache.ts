import type { ContentBlock, SystemContentBlock, Tool as ToolEntry } from '@aws-sdk/client-bedrock-runtime';
import { textTokens } from '../context/estimate-tokens.js';
import type { ModelInfo } from './model-catalog.js';

/** `'auto'`: novaloop places cachePoints (see `systemWithCachePoint` and `tailCheckpoints`); `'off'`: none are added. */
export type PromptCacheMode = 'auto' | 'off';

const CACHE_POINT = { cachePoint: { type: 'default' as const } };

const cachePoints = (blocks: readonly (SystemContentBlock | ContentBlock)[] | undefined): number =>
  (blocks ?? []).reduce((n, block) => (block.cachePoint ? n + 1 : n), 0);

/**
 * The system blocks to send. With 'auto', a cachePoint after the system prompt when the model caches,
 * the prefix it ends (tool specs, then system: Nova's order) reaches the model's minimum, the prompt
 * does not already end with one, and one more stays within the model's checkpoint limit (one is kept
 * free for the moving checkpoint). Below the minimum Nova would silently create nothing, so none is sent.
 */
export function systemWithCachePoint(
  mode: PromptCacheMode,
  system: SystemContentBlock[] | undefined,
  tools: readonly ToolEntry[],
  model: ModelInfo,
): SystemContentBlock[] | undefined {
  const cache = model.promptCache;
  if (mode !== 'auto' || !cache || !system || system.length === 0) return system;
  if (system.at(-1)?.cachePoint) return system;
  if (cachePoints(system) + 2 > cache.maxCheckpoints) return system;
  let tokens = 0;
  for (const block of system) if (block.text !== undefined) tokens += textTokens(block.text);
  for (const entry of tools) tokens += textTokens(JSON.stringify(entry));
  return tokens >= cache.minTokens ? [...system, CACHE_POINT] : system;
}

/**
 * How many message checkpoints a step sends (0, 1 or 2). From the second step of a run, when the
 * previous request's prompt reached the minimum: one at the end of the previous step (it writes the
 * prefix the next step reads), and one where the previous step put its own, so this step reads what
 * that one wrote (a request reads only at its own checkpoints). Within the checkpoint limit, counting
 * the system's and the prompt's cachePoints; when only one fits, the writing one.
 */
export function tailCheckpoints(
  mode: PromptCacheMode,
  model: ModelInfo,
  step: { index: number; previousPromptTokens: number; fixedCheckpoints: number },
): 0 | 1 | 2 {
  const cache = model.promptCache;
  if (mode !== 'auto' || !cache || step.index === 0 || step.previousPromptTokens < cache.minTokens) return 0;
  const room = cache.maxCheckpoints - step.fixedCheckpoints;
  return room >= 2 ? 2 : room === 1 ? 1 : 0;
}

/** cachePoints already in the system blocks and the run's prompt (the checkpoints the limit counts besides novaloop's). */
export const fixedCheckpoints = (system: readonly SystemContentBlock[] | undefined, prompt: readonly ContentBlock[] | undefined): number =>
  cachePoints(system) + cachePoints(prompt);
