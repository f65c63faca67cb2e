import type { LocalS3Config } from './s3-objects.js';

/** A model-invocation job's status, as `GetModelInvocationJob` reports it. */
export type BatchJobStatus =
  | 'Submitted'
  | 'Validating'
  | 'Scheduled'
  | 'InProgress'
  | 'Stopping'
  | 'Stopped'
  | 'Completed'
  | 'PartiallyCompleted'
  | 'Failed'
  | 'Expired';

/** A record's `error` in a `.jsonl.out` line, in place of `modelOutput`. */
export interface BatchRecordError {
  errorCode: number;
  errorMessage: string;
}

/** How the next job(s) created should behave; see `LocalBedrock.batch.injectJob`. */
export interface BatchJobPlan {
  /**
   * How the job ends. `Completed` (the default) processes every record. `Stopped`, `Expired` and
   * `PartiallyCompleted` process `afterRecords` records, write their outputs and the manifest, and
   * end in that status; `Failed` ends after validation with `message` and writes nothing.
   */
  outcome?: 'Completed' | 'Failed' | 'Stopped' | 'PartiallyCompleted' | 'Expired';
  /** Records processed before a `Stopped`, `Expired` or `PartiallyCompleted` ending (default: half). */
  afterRecords?: number;
  /** The job's `message` for `Failed` (a default one otherwise). */
  message?: string;
  /** Records answered with an `error` line instead of a model output, by recordId. */
  recordErrors?: Readonly<Record<string, BatchRecordError>> | ((recordId: string) => BatchRecordError | undefined);
  /** How many jobs this plan applies to, from the next one created (default 1). */
  times?: number;
}

export interface LocalBatchOptions {
  /** The S3-compatible server holding job input and output (required for batch jobs). */
  s3?: LocalS3Config;
  /** The service quota "minimum number of records per batch inference job" (default 100). */
  minRecordsPerJob?: number;
  /** The quota "records per input file per batch inference job" (default 50,000). */
  maxRecordsPerFile?: number;
  /** Time a job spends in each status before the next (default 10 ms), so pollers see them. */
  statusDelayMs?: number;
  /** The account id in job ARNs (default 123456789012). */
  accountId?: string;
  region?: string;
}
