// Nightly triage: 1,000 synthetic support tickets classified on Nova Micro twice, first as a Bedrock
// batch inference job (JSONL on S3, half price), then online with adaptive concurrency, both with
// @novaloop/batch. Offline: bedrock-local serves the batch jobs and Converse, s3rver is the S3.
// A few records fail on purpose (two error lines in the job, a burst of throttling online) to show
// how failures are reported. Prints, per mode, the counts per label, errors, wall time and cost.
//
//   pnpm nightly
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { batch, type BatchReport } from '@novaloop/batch';
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { formatUsd } from '@novaloop/core';
import { startS3Server } from '@novaloop/test-servers';
import { fileURLToPath } from 'node:url';

export const LABELS = ['BILLING', 'TECHNICAL', 'SHIPPING', 'RETURNS', 'OTHER'] as const;
export type Label = (typeof LABELS)[number];
const MICRO = 'us.amazon.nova-micro-v1:0';
const BUCKET = 'nightly-triage';

const SUBJECTS: Record<Label, string[]> = {
  BILLING: ['I was charged twice for order', 'Please send an invoice for order', 'My refund for order'],
  TECHNICAL: ['The app crashes when I open order', 'Login fails with an error on order', 'The checkout page shows an error for order'],
  SHIPPING: ['Where is my parcel for order', 'The tracking for order', 'The delivery of order'],
  RETURNS: [
    'I want to return the shoes from order',
    'How do I exchange the bag from order',
    'The lamp from order arrived broken, return it',
  ],
  OTHER: [
    'Do you have a store near me? Asking about order',
    'Thanks for the great service on order',
    'Can I change my newsletter settings, see order',
  ],
};

// The keyword rules bedrock-local classifies with: what a well-behaved Nova Micro would answer.
const RULES = [
  { match: 'charged|invoice|refund', label: 'BILLING' },
  { match: 'crash|login|error', label: 'TECHNICAL' },
  { match: 'parcel|tracking|delivery', label: 'SHIPPING' },
  { match: 'return|exchange', label: 'RETURNS' },
  { label: 'OTHER' },
];

export interface Ticket {
  id: string;
  text: string;
  expected: Label;
}

/** `count` deterministic tickets, cycling through the labels and their phrasings. */
export function syntheticTickets(count: number): Ticket[] {
  return Array.from({ length: count }, (_, i) => {
    const expected = LABELS[i % LABELS.length] as Label;
    const phrasings = SUBJECTS[expected];
    const text = `${phrasings[Math.floor(i / LABELS.length) % phrasings.length]} #${10_000 + i}.`;
    return { id: `T-${String(i + 1).padStart(4, '0')}`, text, expected };
  });
}

export interface ModeSummary {
  mode: string;
  counts: Record<string, number>;
  errors: number;
  wallTimeMs: number;
  costUsd: number | undefined;
  report: BatchReport<Ticket, Label>;
}

function summarise(report: BatchReport<Ticket, Label>): ModeSummary {
  const counts: Record<string, number> = Object.fromEntries(LABELS.map((label) => [label, 0]));
  for (const result of report.results) if (result.ok) counts[result.value] = (counts[result.value] ?? 0) + 1;
  return { mode: report.mode, counts, errors: report.failed, wallTimeMs: report.wallTimeMs, costUsd: report.costUsd, report };
}

export async function main(print: (line: string) => void = console.log, count = 1_000): Promise<ModeSummary[]> {
  const s3server = await startS3Server();
  const s3Config = { endpoint: s3server.endpoint, region: s3server.region, credentials: s3server.credentials };
  const bedrock = await startLocalBedrock({
    script: { classify: RULES },
    latencyMs: 20,
    recordRequests: true,
    batch: { s3: s3Config, statusDelayMs: 50 },
  });
  try {
    const s3 = new S3Client({ ...s3Config, credentials: { ...s3Config.credentials }, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    s3.destroy();
    const clientConfig = {
      region: 'us-east-1',
      endpoint: bedrock.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    const tickets = syntheticTickets(count);
    const task = { classify: { labels: LABELS, model: MICRO } };
    print(`Nightly triage of ${tickets.length} tickets on ${MICRO} (bedrock-local at ${bedrock.endpoint}, S3 at ${s3server.endpoint})`);

    bedrock.batch.injectJob({
      recordErrors: {
        'T-0007': { errorCode: 400, errorMessage: 'Malformed input request' },
        'T-0421': { errorCode: 500, errorMessage: 'Internal server error' },
      },
    });
    const inBatch = await batch(tickets, task, {
      mode: 'bedrock-batch',
      clientConfig,
      bedrockBatch: {
        roleArn: 'arn:aws:iam::123456789012:role/NightlyTriage',
        inputS3Uri: `s3://${BUCKET}/input/`,
        outputS3Uri: `s3://${BUCKET}/output/`,
        s3Config,
        pollIntervalMs: 100,
      },
      progress: false,
    });
    // Every 10th request from here on is throttled (429), as a busy account's would be.
    const next = bedrock.requests.length + 1;
    bedrock.injectFaults({ fault: { kind: 'throttling' }, requests: Array.from({ length: 300 }, (_, i) => next + i * 10) });
    const online = await batch(tickets, task, { mode: 'online', clientConfig, concurrency: { initial: 16, max: 64 }, progress: false });

    const summaries = [summarise(inBatch), summarise(online)];
    print('');
    print(
      `${'mode'.padEnd(14)}${LABELS.map((label) => label.padStart(10)).join('')}${'errors'.padStart(8)}${'wall time'.padStart(11)}${'cost'.padStart(12)}`,
    );
    for (const summary of summaries) {
      print(
        `${summary.mode.padEnd(14)}${LABELS.map((label) => String(summary.counts[label]).padStart(10)).join('')}` +
          `${String(summary.errors).padStart(8)}${`${(summary.wallTimeMs / 1000).toFixed(2)} s`.padStart(11)}${formatUsd(summary.costUsd, 6).padStart(12)}`,
      );
    }
    for (const summary of summaries) {
      for (const result of summary.report.results)
        if (!result.ok) print(`${summary.mode} error ${result.id}: ${result.error.code} ${result.error.message}`);
    }
    const throttled = bedrock.requests.filter((request) => request.status === 429).length;
    print(
      `Job ${inBatch.job?.jobArn} ended ${inBatch.job?.status}; online mode was throttled ${throttled} times, retried and lost ${online.failed}.`,
    );
    if (inBatch.costUsd !== undefined && online.costUsd !== undefined) {
      print(
        `Batch inference cost ${formatUsd(inBatch.costUsd, 6)} against ${formatUsd(online.costUsd, 6)} online (${((inBatch.costUsd / online.costUsd) * 100).toFixed(0)}%).`,
      );
    }
    return summaries;
  } finally {
    await bedrock.close();
    await s3server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
