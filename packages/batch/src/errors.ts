import { NovaloopError, type NovaloopErrorCode } from '@novaloop/core';

/**
 * Input or options `batch()` cannot run with, found before anything is sent or uploaded: records
 * without ids, duplicate ids, an S3 URI that is not `s3://`, too few records for a batch job, a
 * prompt placeholder a record lacks, a checkpoint of another task. The message says what to change.
 */
export class BatchInputError extends NovaloopError {
  constructor(code: NovaloopErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A Bedrock or S3 control call of a batch job failed (create, poll, upload, download). */
export class BatchJobRequestError extends NovaloopError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BATCH_JOB_REQUEST_FAILED', message, options);
  }
}
