import { createHash } from 'node:crypto';
import type { PromptSegment } from './tokens.js';

export interface CacheAccounting {
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

/**
 * Nova prompt caching as Bedrock bills it. A cachePoint in `system` or `messages` marks the end of a
 * prefix (tools, then system, then messages). Nova ignores cachePoints in `tools` (only Claude caches
 * tool specs), but a system checkpoint covers the tool specs before it anyway. A checkpoint whose
 * prefix is under the model's minimum (1,000 tokens for Nova) is silently not created.
 *
 * On a request, the longest live checkpoint prefix is read from cache; the tokens between it and the
 * last checkpoint are written. A hit refreshes the entry's TTL (5 minutes, or 1 hour with ttl "1h").
 * `inputTokens` is what is left: uncached input, as in Bedrock's usage.
 */
export class PromptCache {
  private readonly entries = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  account(modelKey: string, segments: readonly PromptSegment[], minTokens: number): CacheAccounting {
    const checkpoints: Array<{ hash: string; tokens: number; ttlMs: number }> = [];
    const hash = createHash('sha256').update(modelKey);
    let tokens = 0;
    for (const segment of segments) {
      if (segment.cachePoint) {
        if (segment.cachePoint.field !== 'tools' && tokens >= minTokens) {
          checkpoints.push({ hash: hash.copy().digest('hex'), tokens, ttlMs: segment.cachePoint.ttlMs });
        }
        continue;
      }
      tokens += segment.tokens;
      hash.update(segment.key()).update('\u0000');
    }
    const now = this.now();
    let read = 0;
    for (const checkpoint of checkpoints) {
      const expiresAt = this.entries.get(checkpoint.hash);
      if (expiresAt !== undefined && expiresAt > now) read = Math.max(read, checkpoint.tokens);
    }
    const last = checkpoints.at(-1);
    const write = last && last.tokens > read ? last.tokens - read : 0;
    for (const checkpoint of checkpoints) this.entries.set(checkpoint.hash, now + checkpoint.ttlMs);
    this.evictExpired(now);
    return { cacheReadInputTokens: read, cacheWriteInputTokens: write };
  }

  private evictExpired(now: number): void {
    if (this.entries.size < 10_000) return;
    for (const [key, expiresAt] of this.entries) if (expiresAt <= now) this.entries.delete(key);
  }
}
