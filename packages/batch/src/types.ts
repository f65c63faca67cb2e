import type { BedrockClient } from '@aws-sdk/client-bedrock';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type {
  ClassifyOptions,
  ClientConfig,
  InferToolInput,
  InferenceOptions,
  StructuredCallOptions,
  Usage,
  ZodLikeSchema,
} from '@novaloop/core';

/** A record: any object; `id` (string or number) names it in results, checkpoints and batch jobs. */
export type BatchRecord = { id?: string | number } & Record<string, unknown>;

/** Options of one model call, shared by every task kind (no client, signal or retry: batch() owns them). */
export type TaskCallOptions = Omit<StructuredCallOptions, 'client' | 'clientConfig' | 'signal' | 'retry'>;

/** Classify each record's text into one of `classify.labels`, as `classify()` does. */
export interface ClassifyTask<R, L extends string> {
  classify: Omit<ClassifyOptions<L>, 'client' | 'clientConfig' | 'signal' | 'retry'>;
  /** The text to classify (default: the record's `text` field). */
  text?: (record: R) => string;
}

/** Extract data typed by a zod object schema from each record's text, as `extract()` does. */
export interface ExtractTask<R, S extends ZodLikeSchema> {
  extract: S;
  options?: TaskCallOptions;
  text?: (record: R) => string;
}

/** A single-turn prompt: `{{field}}` placeholders are filled from each record. */
export interface PromptTask {
  prompt: { system?: string; user: string };
  options?: TaskCallOptions & { inference?: InferenceOptions };
}

export type BatchTask<R> = ClassifyTask<R, string> | ExtractTask<R, ZodLikeSchema> | PromptTask;

/** What a task's results hold: the label union, the schema's type, or text. */
export type TaskValue<T> = T extends { classify: { labels: readonly (infer L)[] } }
  ? L
  : T extends { extract: infer S }
    ? InferToolInput<S>
    : string;

/** Why a record has no value. `code` is a NovaloopErrorCode (CLASSIFICATION_FAILED, BATCH_NO_RESULT, ...). */
export interface RecordError {
  code: string;
  message: string;
  /** The Bedrock exception name or batch errorCode, when the service reported the failure. */
  serviceCode?: string;
}

export type BatchResult<R, T> =
  | { id: string; record: R; ok: true; value: T; usage: Usage; costUsd: number | undefined }
  | { id: string; record: R; ok: false; error: RecordError; usage: Usage; costUsd: number | undefined };

export type BatchMode = 'bedrock-batch' | 'online' | 'auto';

/** Where a batch job reads and writes, and who it runs as. */
export interface BedrockBatchOptions {
  /** The service role Bedrock assumes to read the input and write the output. */
  roleArn: string;
  /** `s3://bucket/prefix/` under which each job's input JSONL files are written. */
  inputS3Uri: string;
  /** `s3://bucket/prefix/` the job writes its output under (in a folder named after the job id). */
  outputS3Uri: string;
  /** Default `novaloop-batch-<time>`. */
  jobName?: string;
  /** Resume this job (after a restart) instead of creating one: its outputs are read and matched to the same records. */
  jobArn?: string;
  /** Called once the job exists, with its ARN: keep it to resume after a crash (the checkpoint file does this for you). */
  onJobCreated?: (jobArn: string) => void;
  /** The service quota "records per input file" (default 50,000): more records are split over several files. */
  maxRecordsPerFile?: number;
  /** The quota "minimum records per job" (default 100). */
  minRecordsPerJob?: number;
  /** First and longest wait between GetModelInvocationJob polls, in ms (default 10 s, growing ×1.5 to 60 s). */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Job timeout, 24 to 168 hours (default: the service's 168). */
  timeoutHours?: number;
  /** A `BedrockClient` from @aws-sdk/client-bedrock; otherwise one is made from `clientConfig`. */
  bedrockClient?: BedrockClient;
  /** An `S3Client` from @aws-sdk/client-s3; otherwise one is made from `s3Config`. */
  s3Client?: S3Client;
  s3Config?: {
    endpoint?: string;
    region?: string;
    forcePathStyle?: boolean;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  };
}

export interface ConcurrencyOptions {
  /** Requests in flight at the start (default 8). */
  initial?: number;
  /** Never more in flight than this (default 64). */
  max?: number;
  /** Never fewer (default 1). */
  min?: number;
}

export interface BatchProgress {
  mode: 'online' | 'bedrock-batch';
  /** `upload`, `submitted`, `running` (job status in `jobStatus`), `reading`, `done`. */
  phase: 'upload' | 'submitted' | 'running' | 'reading' | 'done';
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | undefined;
  elapsedMs: number;
  /** `undefined` until something is done. */
  etaMs: number | undefined;
  /** Online: the current concurrency limit. */
  concurrency?: number;
  /** bedrock-batch: the job's status. */
  jobStatus?: string;
}

export interface BatchOptions<R> {
  /** Default 'online'. 'auto': a batch job when `bedrockBatch` is set and there are enough records, else online. */
  mode?: BatchMode;
  /** Required for 'bedrock-batch' (and for 'auto' to use a job). */
  bedrockBatch?: BedrockBatchOptions;
  /** Online: the Bedrock Runtime client (e.g. `agent.client`); otherwise one is made from `clientConfig`. */
  client?: BedrockRuntimeClient;
  clientConfig?: ClientConfig;
  /** Online: adaptive concurrency bounds. */
  concurrency?: ConcurrencyOptions;
  /** Online: attempts per record for throttling and other transient failures (default 10). */
  maxAttempts?: number;
  /**
   * A JSONL file of finished records (online) or of the job ARN (bedrock-batch): a run killed at any
   * point resumes from it without redoing finished records or losing any.
   */
  checkpoint?: string;
  /** Estimate tokens and cost, send nothing. */
  dryRun?: boolean;
  /** 'auto' (default): a bar on a TTY stderr, a plain line every `progressEvery` records otherwise; false: silent. */
  progress?: 'auto' | 'bar' | 'lines' | false;
  progressEvery?: number;
  /** Where the bar or lines go (default process.stderr). */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  onProgress?: (progress: BatchProgress) => void;
  signal?: AbortSignal;
  /** For records typed loosely: the record's id (default `record.id`). */
  idOf?: (record: R) => string | number | undefined;
}

export interface BatchEstimate {
  records: number;
  inputTokens: number;
  /** Expected output tokens (a typical answer of the task kind). */
  outputTokens: number;
  /** At the list price (online) or half of it (bedrock-batch); `undefined` when the price is unknown. */
  costUsd: number | undefined;
  /** With every answer at maxTokens: the most it can cost. */
  maxCostUsd: number | undefined;
  mode: 'online' | 'bedrock-batch';
}

/** How a batch job ended, with the records that have no result. */
export interface BatchJobOutcome {
  jobArn: string;
  status: 'Completed' | 'PartiallyCompleted' | 'Failed' | 'Stopped' | 'Expired';
  message: string | undefined;
  /** Ids of records without an output line (their results have error code BATCH_NO_RESULT). */
  missing: string[];
  /** manifest.json.out, when the job wrote one. */
  manifest: Record<string, number> | undefined;
}

export interface BatchReport<R, T> {
  mode: 'online' | 'bedrock-batch';
  /** In input order, one per record (empty for a dry run). */
  results: BatchResult<R, T>[];
  succeeded: number;
  failed: number;
  usage: Usage;
  costUsd: number | undefined;
  estimate: BatchEstimate;
  dryRun: boolean;
  wallTimeMs: number;
  /** bedrock-batch: how the job ended. */
  job?: BatchJobOutcome;
  /** Set when 'auto' ran online instead of a batch job, saying why. */
  switchedToOnline?: string;
  /** Online: records taken from the checkpoint instead of sent. */
  resumed: number;
}
