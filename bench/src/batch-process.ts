// Scenario 9's child: classifying `records` tickets online, either with @novaloop/batch's online
// mode (adaptive concurrency, its own retries) or with the hand-written alternative: Promise.all over
// a fixed number of workers, each sending the same body with the raw SDK (keep-alive client, the SDK's
// standard retries) and counting the records it gives up on. Prints one JSON line.
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { batch } from '@novaloop/batch';
import { performance } from 'node:perf_hooks';
import { rawPooledClient } from './raw-clients.js';
import { CLASSIFY_LABELS, CLASSIFY_MODEL, CLASSIFY_TEXTS, rawClassifyBody } from './scenarios/classify-overhead.js';

export interface BatchProcessJob {
  variant: 'batch-online' | 'raw-fixed';
  endpoint: string;
  records: number;
  /** raw-fixed: workers; batch-online: the concurrency cap. */
  concurrency: number;
}

export interface BatchProcessResult {
  wallMs: number;
  recordsPerSecond: number;
  succeeded: number;
  lost: number;
  /** batch-online: the highest and last concurrency limit it reached. */
  peakConcurrency?: number;
  finalConcurrency?: number;
}

const job = JSON.parse(process.argv[2] ?? '') as BatchProcessJob;
const texts = Array.from({ length: job.records }, (_, i) => `${CLASSIFY_TEXTS[i % CLASSIFY_TEXTS.length] as string} (#${i})`);
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const started = performance.now();
let succeeded = 0;
let peakConcurrency: number | undefined;
let finalConcurrency: number | undefined;

if (job.variant === 'batch-online') {
  const report = await batch(
    texts.map((text, i) => ({ id: i, text })),
    { classify: { labels: CLASSIFY_LABELS, model: CLASSIFY_MODEL } },
    {
      clientConfig: { region: 'us-east-1', endpoint: job.endpoint, credentials },
      concurrency: { max: job.concurrency },
      progress: false,
      onProgress: (p) => {
        peakConcurrency = Math.max(peakConcurrency ?? 0, p.concurrency ?? 0);
        finalConcurrency = p.concurrency;
      },
    },
  );
  succeeded = report.succeeded;
} else {
  const client = rawPooledClient(job.endpoint);
  let next = 0;
  const worker = async () => {
    while (next < texts.length) {
      const text = texts[next++] as string;
      try {
        const output = await client.send(new ConverseCommand(rawClassifyBody(text)));
        const use = output.output?.message?.content?.find((block) => block.toolUse?.name === 'classify')?.toolUse;
        if (typeof (use?.input as { label?: unknown } | undefined)?.label === 'string') succeeded++;
      } catch {
        // Still throttled after the SDK's 3 attempts: a hand-written loop that does not retry more loses the record.
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  client.destroy();
}
const wallMs = performance.now() - started;
const result: BatchProcessResult = {
  wallMs,
  recordsPerSecond: (succeeded / wallMs) * 1000,
  succeeded,
  lost: job.records - succeeded,
  ...(peakConcurrency !== undefined ? { peakConcurrency, finalConcurrency } : {}),
};
console.log(JSON.stringify(result));
