import { setMaxListeners } from 'node:events';
import { createBedrockClient } from '@novaloop/core';
import { addUsage, emptyUsage } from '@novaloop/core/batch-support';
import type { SingleCall } from '@novaloop/core/batch-support';
import { runBedrockBatch } from './bedrock-batch.js';
import { Checkpoint, type CheckpointEntry } from './checkpoint.js';
import { BatchInputError } from './errors.js';
import { estimate } from './estimate.js';
import { runOnline } from './online.js';
import { addCost } from './pricing.js';
import { ProgressReporter } from './progress.js';
import { identify } from './records.js';
import { parseS3Prefix } from './s3-uri.js';
import { fingerprint, prepareTask } from './task.js';
import type { BatchJobOutcome, BatchOptions, BatchReport, BatchResult, BatchTask, TaskValue } from './types.js';

/**
 * Runs one task (classify, extract or a prompt template) over every record: as a Bedrock batch
 * inference job (`mode: 'bedrock-batch'`, half price), or online over Converse with adaptive
 * concurrency (`mode: 'online'`, the default), or whichever fits (`'auto'`). Results come back in
 * input order, typed by the task, each with its usage and cost or its error. Bad input is a
 * `BatchInputError` before anything is sent.
 */
export async function batch<R extends object, const T extends BatchTask<R>>(
  records: Iterable<R> | AsyncIterable<R>,
  task: T,
  options: BatchOptions<R> = {},
): Promise<BatchReport<R, TaskValue<T>>> {
  const started = performance.now();
  const prepared = prepareTask<R>(task);
  const requested = options.mode ?? 'online';
  if (requested !== 'online' && requested !== 'bedrock-batch' && requested !== 'auto') {
    throw new BatchInputError(
      'BATCH_CONFIG',
      `batch(): mode must be 'bedrock-batch', 'online' or 'auto' (got ${JSON.stringify(requested)}).`,
    );
  }
  const jobOptions = options.bedrockBatch;
  if (requested === 'bedrock-batch' && !jobOptions) {
    throw new BatchInputError('BATCH_CONFIG', "batch(): mode 'bedrock-batch' needs `bedrockBatch: { roleArn, inputS3Uri, outputS3Uri }`.");
  }
  if (jobOptions && requested !== 'online') {
    if (typeof jobOptions.roleArn !== 'string' || !jobOptions.roleArn.startsWith('arn:')) {
      throw new BatchInputError(
        'BATCH_CONFIG',
        'batch(): bedrockBatch.roleArn must be the ARN of a service role Bedrock can assume (arn:aws:iam::…:role/…).',
      );
    }
    parseS3Prefix(jobOptions.inputS3Uri, 'inputS3Uri');
    parseS3Prefix(jobOptions.outputS3Uri, 'outputS3Uri');
  }

  const maybeJob = requested !== 'online' && jobOptions !== undefined;
  const items = await identify(records, {
    required: maybeJob || options.checkpoint !== undefined,
    why: maybeJob ? 'a batch job' : 'a checkpoint',
    ...(options.idOf ? { idOf: options.idOf } : {}),
  });
  if (items.length === 0) throw new BatchInputError('BATCH_CONFIG', 'batch(): there are no records.');

  const minimum = jobOptions?.minRecordsPerJob ?? 100;
  let mode: 'online' | 'bedrock-batch' = requested === 'bedrock-batch' ? 'bedrock-batch' : 'online';
  let switchedToOnline: string | undefined;
  if (requested === 'bedrock-batch' && items.length < minimum) {
    throw new BatchInputError(
      'BATCH_TOO_FEW_RECORDS',
      `batch(): a Bedrock batch inference job needs at least ${minimum} records; there are ${items.length}. ` +
        "Use mode: 'auto' to run this few online, or mode: 'online'.",
    );
  }
  if (requested === 'auto') {
    if (!jobOptions) switchedToOnline = 'no `bedrockBatch` options were given';
    else if (items.length < minimum) switchedToOnline = `${items.length} records are fewer than the batch job minimum of ${minimum}`;
    else mode = 'bedrock-batch';
  }

  // Every record's request is built before anything is sent, so a bad record fails the run early.
  const retry = { maxAttempts: 1 };
  const calls: SingleCall<unknown>[] = items.map(({ id, record }) => prepared.callFor(record, id, retry));
  const est = estimate(calls, prepared.typicalOutputTokens, mode);
  const report = (entries: CheckpointEntry[], extra: { job?: BatchJobOutcome; resumed?: number } = {}): BatchReport<R, TaskValue<T>> => {
    const usage = emptyUsage();
    let costUsd: number | undefined = 0;
    let succeeded = 0;
    const results = entries.map((entry, i) => {
      addUsage(usage, entry.usage);
      costUsd = addCost(costUsd, entry.costUsd);
      if (entry.ok) succeeded++;
      const record = (items[i] as { record: R }).record;
      return (
        entry.ok
          ? { id: entry.id, record, ok: true, value: entry.value, usage: entry.usage, costUsd: entry.costUsd }
          : { id: entry.id, record, ok: false, error: entry.error, usage: entry.usage, costUsd: entry.costUsd }
      ) as BatchResult<R, TaskValue<T>>;
    });
    return {
      mode,
      results,
      succeeded,
      failed: results.length - succeeded,
      usage,
      costUsd,
      estimate: est,
      dryRun: options.dryRun === true,
      wallTimeMs: Math.round(performance.now() - started),
      ...(extra.job ? { job: extra.job } : {}),
      ...(switchedToOnline ? { switchedToOnline } : {}),
      resumed: extra.resumed ?? 0,
    };
  };
  if (options.dryRun) return report([]);

  // A job's checkpoint also names its records: the same path with other records must not resume that job.
  const taskId = fingerprint(calls[0] as SingleCall<unknown>, mode === 'bedrock-batch' ? items.map(({ id }) => id) : []);
  const checkpoint = options.checkpoint ? Checkpoint.open(options.checkpoint, mode, taskId) : undefined;
  const progress = new ProgressReporter(mode, items.length, options);
  const signal = options.signal ?? new AbortController().signal;
  // Every request in flight listens to the signal: many at once is expected, not a leak.
  setMaxListeners(0, signal);
  try {
    if (mode === 'bedrock-batch') {
      const { entries, job } = await runBedrockBatch({
        items,
        calls,
        options: jobOptions as NonNullable<typeof jobOptions>,
        clientConfig: options.clientConfig,
        checkpoint,
        progress,
        signal,
      });
      progress.finish();
      return report(entries, { job });
    }
    const resumed = checkpoint ? items.filter(({ id }) => checkpoint.entries.has(id)).length : 0;
    for (const { id } of items) {
      const entry = checkpoint?.entries.get(id);
      if (entry) progress.record(entry.ok, entry.usage, entry.costUsd);
    }
    const maxConcurrency = options.concurrency?.max ?? 64;
    const client =
      options.client ??
      createBedrockClient({ ...options.clientConfig, maxSockets: Math.max(maxConcurrency, options.clientConfig?.maxSockets ?? 0) });
    try {
      const entries = await runOnline({
        items,
        calls,
        client,
        concurrency: options.concurrency,
        maxAttempts: options.maxAttempts ?? 10,
        checkpoint,
        progress,
        signal,
      });
      progress.finish();
      return report(entries, { resumed });
    } finally {
      if (!options.client) client.destroy();
    }
  } finally {
    checkpoint?.close();
  }
}
