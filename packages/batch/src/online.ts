import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { backoffDelay, emptyUsage, runSingleCall, type SingleCall } from '@novaloop/core/batch-support';
import { AdaptiveLimit } from './adaptive-limit.js';
import type { Checkpoint, CheckpointEntry } from './checkpoint.js';
import type { ProgressReporter } from './progress.js';
import { failureKind, recordError } from './record-errors.js';
import type { IdentifiedRecord } from './records.js';
import type { ConcurrencyOptions } from './types.js';

export interface OnlineRun {
  items: readonly IdentifiedRecord<unknown>[];
  calls: readonly SingleCall<unknown>[];
  client: BedrockRuntimeClient;
  concurrency: ConcurrencyOptions | undefined;
  maxAttempts: number;
  checkpoint: Checkpoint | undefined;
  progress: ProgressReporter;
  signal: AbortSignal;
}

// Short: the adaptive limit, not the backoff, is what slows the run down under throttling.
const BACKOFF = { baseDelayMs: 25, maxDelayMs: 2_000 };

/**
 * Sends every record not already in the checkpoint, at most `limit` at a time, the limit adapting to
 * throttling (AIMD). A throttled or transient failure is retried (full-jitter backoff) up to
 * `maxAttempts`; every finished record goes to the checkpoint before it counts as done. Returns one
 * entry per record, in input order. Rejects with the signal's reason when aborted, after the requests
 * in flight have settled (their records are checkpointed).
 */
export async function runOnline(run: OnlineRun): Promise<CheckpointEntry[]> {
  const { items, calls, client, checkpoint, progress, signal } = run;
  const entries: (CheckpointEntry | undefined)[] = items.map(({ id }) => checkpoint?.entries.get(id));
  const queue: number[] = [];
  entries.forEach((entry, index) => {
    if (!entry) queue.push(index);
  });
  const limit = new AdaptiveLimit(run.concurrency?.initial ?? 8, run.concurrency?.min ?? 1, run.concurrency?.max ?? 64);
  const attempts = new Uint16Array(items.length);
  let inFlight = 0;
  let waiting = 0;
  progress.set({ concurrency: limit.limit });

  await new Promise<void>((resolve) => {
    const finish = (index: number, entry: CheckpointEntry) => {
      entries[index] = entry;
      checkpoint?.add(entry);
      progress.record(entry.ok, entry.usage, entry.costUsd);
    };
    const pump = () => {
      while (!signal.aborted && inFlight < limit.limit && queue.length > 0) {
        const index = queue.shift() as number;
        inFlight++;
        attempts[index] = (attempts[index] as number) + 1;
        const id = (items[index] as IdentifiedRecord<unknown>).id;
        runSingleCall(calls[index] as SingleCall<unknown>, client, signal)
          .then(
            (result) => {
              limit.onSuccess();
              finish(
                index,
                result.ok
                  ? { id, ok: true, value: result.value, usage: result.usage, costUsd: result.costUsd }
                  : { id, ok: false, error: recordError(result.error), usage: result.usage, costUsd: result.costUsd },
              );
            },
            (error: unknown) => {
              if (signal.aborted) return;
              const kind = failureKind(error);
              if (kind !== 'final' && (attempts[index] as number) < run.maxAttempts) {
                if (kind === 'throttled') limit.onThrottle();
                waiting++;
                setTimeout(
                  () => {
                    waiting--;
                    queue.unshift(index);
                    pump();
                  },
                  backoffDelay(attempts[index] as number, { ...BACKOFF, maxAttempts: run.maxAttempts }),
                );
                return;
              }
              finish(index, { id, ok: false, error: recordError(error), usage: emptyUsage(), costUsd: 0 });
            },
          )
          .finally(() => {
            inFlight--;
            progress.set({ concurrency: limit.limit });
            pump();
          });
      }
      if (inFlight === 0 && (signal.aborted || (queue.length === 0 && waiting === 0))) resolve();
    };
    signal.addEventListener('abort', pump, { once: true });
    pump();
  });
  if (signal.aborted) throw signal.reason;
  return entries as CheckpointEntry[];
}
