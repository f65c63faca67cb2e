export interface RetryOptions {
  /** Attempts per model call, the first included (default 4). 1 turns retries off. */
  maxAttempts?: number;
  /** Upper bound of the first backoff, in ms (default 500). It doubles on each retry. */
  baseDelayMs?: number;
  /** Cap on any one backoff, in ms (default 20,000). */
  maxDelayMs?: number;
}

export type ResolvedRetry = Required<RetryOptions>;

export const resolveRetry = (options: RetryOptions | undefined): ResolvedRetry => ({
  maxAttempts: options?.maxAttempts ?? 4,
  baseDelayMs: options?.baseDelayMs ?? 500,
  maxDelayMs: options?.maxDelayMs ?? 20_000,
});

/**
 * Exponential backoff with full jitter (a uniform draw from 0 to the exponential bound), which spreads
 * the retries of many throttled clients instead of synchronising them. `retry` counts from 1.
 */
export function backoffDelay(retry: number, options: ResolvedRetry, random: () => number = Math.random): number {
  const bound = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * bound);
}

/** Waits `ms`, or rejects with the signal's reason the moment it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
