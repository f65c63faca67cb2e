import {
  BedrockClient,
  CreateModelInvocationJobCommand,
  GetModelInvocationJobCommand,
  type GetModelInvocationJobCommandOutput,
} from '@aws-sdk/client-bedrock';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { costOf, type ClientConfig } from '@novaloop/core';
import { emptyUsage, sleep, toUsage, type SingleCall } from '@novaloop/core/batch-support';
import { randomBytes } from 'node:crypto';
import type { Checkpoint, CheckpointEntry } from './checkpoint.js';
import { BatchJobRequestError } from './errors.js';
import { batchPrice } from './pricing.js';
import type { ProgressReporter } from './progress.js';
import { recordError } from './record-errors.js';
import type { IdentifiedRecord } from './records.js';
import { parseS3Prefix } from './s3-uri.js';
import { modelInputOf } from './task.js';
import type { BatchJobOutcome, BedrockBatchOptions } from './types.js';

export interface BedrockBatchRun {
  items: readonly IdentifiedRecord<unknown>[];
  calls: readonly SingleCall<unknown>[];
  options: BedrockBatchOptions;
  clientConfig: ClientConfig | undefined;
  checkpoint: Checkpoint | undefined;
  progress: ProgressReporter;
  signal: AbortSignal;
}

const FINAL = new Set(['Completed', 'PartiallyCompleted', 'Failed', 'Stopped', 'Expired']);

/**
 * One Bedrock batch inference job over every record: JSONL files (split at the per-file limit)
 * uploaded to S3, CreateModelInvocationJob, polling with backoff, then every `.jsonl.out` file read
 * and each line matched back to its record by recordId and parsed as the online call would be.
 * With a job ARN (given, or in the checkpoint) nothing is uploaded or created: that job is followed.
 */
export async function runBedrockBatch(run: BedrockBatchRun): Promise<{ entries: CheckpointEntry[]; job: BatchJobOutcome }> {
  const { options, checkpoint, progress, signal } = run;
  const input = parseS3Prefix(options.inputS3Uri, 'inputS3Uri');
  const output = parseS3Prefix(options.outputS3Uri, 'outputS3Uri');
  const config = run.clientConfig ?? {};
  const bedrock =
    options.bedrockClient ??
    new BedrockClient({
      ...(config.region ? { region: config.region } : {}),
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials
        ? { credentials: typeof config.credentials === 'function' ? config.credentials : { ...config.credentials } }
        : {}),
    });
  const s3 =
    options.s3Client ??
    new S3Client({
      ...((options.s3Config?.region ?? config.region) ? { region: options.s3Config?.region ?? config.region } : {}),
      ...(options.s3Config?.endpoint ? { endpoint: options.s3Config.endpoint } : {}),
      forcePathStyle: options.s3Config?.forcePathStyle ?? options.s3Config?.endpoint !== undefined,
      ...(options.s3Config?.credentials ? { credentials: { ...options.s3Config.credentials } } : {}),
    });
  try {
    let jobArn = options.jobArn ?? checkpoint?.jobArn;
    if (jobArn === undefined) {
      jobArn = await submit(run, bedrock, s3, input, output.uri);
      checkpoint?.setJob(jobArn);
      options.onJobCreated?.(jobArn);
    }
    progress.set({ phase: 'submitted' });
    const job = await poll(bedrock, jobArn, options, progress, signal);
    progress.set({ phase: 'reading', jobStatus: job.status });
    return await collect(run, s3, job);
  } finally {
    if (!options.bedrockClient) bedrock.destroy();
    if (!options.s3Client) s3.destroy();
  }
}

async function submit(
  run: BedrockBatchRun,
  bedrock: BedrockClient,
  s3: S3Client,
  input: ReturnType<typeof parseS3Prefix>,
  outputUri: string,
): Promise<string> {
  const { items, calls, options } = run;
  const jobName =
    options.jobName ?? `novaloop-batch-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  const perFile = options.maxRecordsPerFile ?? 50_000;
  const folder = `${input.prefix}${jobName}/`;
  const files = Math.ceil(items.length / perFile);
  for (let file = 0; file < files; file++) {
    const lines: string[] = [];
    for (let i = file * perFile; i < Math.min(items.length, (file + 1) * perFile); i++) {
      lines.push(
        JSON.stringify({ recordId: (items[i] as IdentifiedRecord<unknown>).id, modelInput: modelInputOf(calls[i] as SingleCall<unknown>) }),
      );
    }
    const key = `${folder}records-${String(file + 1).padStart(5, '0')}.jsonl`;
    await send(`upload s3://${input.bucket}/${key}`, () =>
      s3.send(new PutObjectCommand({ Bucket: input.bucket, Key: key, Body: `${lines.join('\n')}\n` })),
    );
  }
  const first = calls[0] as SingleCall<unknown>;
  const created = await send('CreateModelInvocationJob', () =>
    bedrock.send(
      new CreateModelInvocationJobCommand({
        jobName,
        roleArn: options.roleArn,
        modelId: first.request.modelId,
        modelInvocationType: 'Converse',
        inputDataConfig: { s3InputDataConfig: { s3Uri: `s3://${input.bucket}/${folder}`, s3InputFormat: 'JSONL' } },
        outputDataConfig: { s3OutputDataConfig: { s3Uri: outputUri } },
        ...(options.timeoutHours !== undefined ? { timeoutDurationInHours: options.timeoutHours } : {}),
      }),
    ),
  );
  if (!created.jobArn) throw new BatchJobRequestError('CreateModelInvocationJob returned no jobArn.');
  return created.jobArn;
}

async function poll(
  bedrock: BedrockClient,
  jobArn: string,
  options: BedrockBatchOptions,
  progress: ProgressReporter,
  signal: AbortSignal,
): Promise<GetModelInvocationJobCommandOutput> {
  let wait = options.pollIntervalMs ?? 10_000;
  const longest = options.maxPollIntervalMs ?? 60_000;
  for (;;) {
    const job = await send(
      'GetModelInvocationJob',
      () => bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: jobArn }), { abortSignal: signal }),
      signal,
    );
    progress.set({ phase: 'running', jobStatus: job.status, done: job.processedRecordCount ?? progress.state.done });
    if (FINAL.has(String(job.status))) return job;
    await sleep(wait, signal);
    wait = Math.min(longest, Math.ceil(wait * 1.5));
  }
}

async function collect(
  run: BedrockBatchRun,
  s3: S3Client,
  job: GetModelInvocationJobCommandOutput,
): Promise<{ entries: CheckpointEntry[]; job: BatchJobOutcome }> {
  const { items, calls, progress } = run;
  const jobArn = job.jobArn as string;
  const output = parseS3Prefix(job.outputDataConfig?.s3OutputDataConfig?.s3Uri ?? run.options.outputS3Uri, 'outputS3Uri');
  const folder = `${output.prefix}${jobArn.split('/').pop()}/`;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await send('list the job output', () =>
      s3.send(new ListObjectsV2Command({ Bucket: output.bucket, Prefix: folder, ContinuationToken: token })),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);

  const lines = new Map<
    string,
    {
      modelOutput?: { output?: { message?: Message }; usage?: Record<string, number> };
      error?: { errorCode?: unknown; errorMessage?: unknown };
    }
  >();
  let manifest: Record<string, number> | undefined;
  for (const key of keys) {
    const text = await read(s3, output.bucket, key);
    if (key.endsWith('manifest.json.out')) {
      manifest = JSON.parse(text) as Record<string, number>;
      continue;
    }
    if (!key.endsWith('.jsonl.out')) continue;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const parsed = JSON.parse(line) as { recordId?: unknown };
      if (typeof parsed.recordId === 'string') lines.set(parsed.recordId, parsed as never);
    }
  }

  const price = batchPrice((calls[0] as SingleCall<unknown>).request.price);
  const status = String(job.status) as BatchJobOutcome['status'];
  const missing: string[] = [];
  progress.set({ done: 0, succeeded: 0, failed: 0 });
  const entries: CheckpointEntry[] = [];
  for (let i = 0; i < items.length; i++) {
    const { id } = items[i] as IdentifiedRecord<unknown>;
    const line = lines.get(id);
    let entry: CheckpointEntry;
    if (!line) {
      missing.push(id);
      entry = {
        id,
        ok: false,
        error: {
          code: 'BATCH_NO_RESULT',
          message: `The batch job ended ${status}${job.message ? ` (${job.message})` : ''} without an output for this record. Run the records without results again (online, or in a new job).`,
        },
        usage: emptyUsage(),
        costUsd: 0,
      };
    } else if (line.error || !line.modelOutput) {
      const code = String(line.error?.errorCode ?? 'unknown');
      entry = {
        id,
        ok: false,
        error: {
          code: 'BATCH_RECORD_ERROR',
          message: `Bedrock could not process this record: ${code} ${String(line.error?.errorMessage ?? '')}`.trim(),
          serviceCode: code,
        },
        usage: emptyUsage(),
        costUsd: 0,
      };
    } else {
      const usage = toUsage(line.modelOutput.usage);
      const costUsd = costOf(usage, price);
      try {
        const message = line.modelOutput.output?.message ?? { role: 'assistant', content: [] };
        const value = await (calls[i] as SingleCall<unknown>).parse(message);
        entry = { id, ok: true, value, usage, costUsd };
      } catch (error) {
        entry = { id, ok: false, error: recordError(error), usage, costUsd };
      }
    }
    progress.record(entry.ok, entry.usage, entry.costUsd);
    entries.push(entry);
  }
  return { entries, job: { jobArn, status, message: job.message, missing, manifest } };
}

async function read(s3: S3Client, bucket: string, key: string): Promise<string> {
  const object = await send(`read s3://${bucket}/${key}`, () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
  return (await object.Body?.transformToString('utf8')) ?? '';
}

/** A control-plane call; its failure says which step failed (the cause keeps the SDK error). */
async function send<T>(what: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const name = (error as { name?: string }).name ?? 'Error';
    throw new BatchJobRequestError(
      `batch(): ${what} failed: ${name}: ${(error as Error).message}. Check the role, the bucket and the region.`,
      {
        cause: error,
      },
    );
  }
}
