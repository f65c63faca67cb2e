// Scenario 9: @novaloop/batch's online mode against a hand-written Promise.all at fixed concurrencies,
// classifying the same records over raw-SDK Converse, at 50 ms model latency with every 10th request
// that reaches bedrock-local throttled (429). Each variant runs in a process of its own against a fresh
// server, so the throttled requests are the same share for everyone. Target: online mode's records/s
// at least the best fixed concurrency's, with no record lost.
import { startLocalBedrock } from '@novaloop/bedrock-local';
import type { BatchProcessJob, BatchProcessResult } from '../batch-process.js';
import { runJsonScript } from '../child.js';
import { median } from '../stats.js';
import { TICKET_RULES } from '../workload.js';

export interface BatchThroughputCounts {
  records: number;
  rounds: number;
  latencyMs: number;
  /** Every n-th request is throttled (10: 10%). */
  throttleEvery: number;
  /** The fixed concurrencies of the hand-written variant. */
  fixed: number[];
  /** Online mode's concurrency cap (its default is 64; the bench gives it the largest fixed count's ceiling). */
  onlineCap: number;
}

export interface BatchThroughputFigures {
  label: string;
  variant: BatchProcessJob['variant'];
  concurrency: number;
  records: number;
  /** Medians over the rounds. */
  recordsPerSecond: number;
  wallMs: number;
  /** The most lost in any round. */
  lost: number;
  peakConcurrency?: number;
  throttled: number;
}

export async function batchThroughput(counts: BatchThroughputCounts): Promise<BatchThroughputFigures[]> {
  const cases: Array<{ variant: BatchProcessJob['variant']; concurrency: number; label: string }> = [
    ...counts.fixed.map((concurrency) => ({
      variant: 'raw-fixed' as const,
      concurrency,
      label: `Promise.all, ${concurrency} workers (raw SDK)`,
    })),
    {
      variant: 'batch-online',
      concurrency: counts.onlineCap,
      label: `batch() online, adaptive (cap ${counts.onlineCap})`,
    },
  ];
  const samples = new Map<string, Array<BatchProcessResult & { throttled: number }>>();
  for (let round = 0; round < counts.rounds; round++) {
    for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
      const server = await startLocalBedrock({ script: TICKET_RULES, latencyMs: counts.latencyMs });
      // Enough throttled arrivals for every retry a run can make.
      const arrivals = Array.from(
        { length: Math.ceil((counts.records * 3) / counts.throttleEvery) },
        (_, i) => (i + 1) * counts.throttleEvery,
      );
      server.injectFaults({ fault: { kind: 'throttling' }, requests: arrivals });
      try {
        const job: BatchProcessJob = { variant: c.variant, endpoint: server.endpoint, records: counts.records, concurrency: c.concurrency };
        const { value } = await runJsonScript<BatchProcessResult>('batch-process', job);
        const throttled = server.requests.filter((r) => r.status === 429).length;
        samples.set(c.label, [...(samples.get(c.label) ?? []), { ...value, throttled }]);
      } finally {
        await server.close();
      }
    }
  }
  return cases.map((c) => {
    const runs = samples.get(c.label) ?? [];
    const peaks = runs.map((r) => r.peakConcurrency).filter((p): p is number => p !== undefined);
    return {
      label: c.label,
      variant: c.variant,
      concurrency: c.concurrency,
      records: counts.records,
      recordsPerSecond: median(runs.map((r) => r.recordsPerSecond)),
      wallMs: median(runs.map((r) => r.wallMs)),
      lost: Math.max(...runs.map((r) => r.lost)),
      ...(peaks.length > 0 ? { peakConcurrency: Math.max(...peaks) } : {}),
      throttled: median(runs.map((r) => r.throttled)),
    };
  });
}
