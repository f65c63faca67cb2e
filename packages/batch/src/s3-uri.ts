import { BatchInputError } from './errors.js';

export interface S3Prefix {
  bucket: string;
  /** Key prefix, empty or ending in `/`. */
  prefix: string;
  uri: string;
}

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

/** `s3://bucket/prefix/` as a bucket and a key prefix; anything else is a BATCH_S3_URI_INVALID error. */
export function parseS3Prefix(uri: unknown, option: string): S3Prefix {
  const match = typeof uri === 'string' ? S3_URI.exec(uri) : null;
  if (!match) {
    throw new BatchInputError(
      'BATCH_S3_URI_INVALID',
      `batch(): bedrockBatch.${option} must be an S3 URI like s3://my-bucket/batch/ (got ${JSON.stringify(uri)}). ` +
        'Bedrock batch jobs read and write S3 only; https:// and bucket ARNs are not accepted.',
    );
  }
  const bucket = match[1] as string;
  const key = match[2] ?? '';
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  return { bucket, prefix, uri: `s3://${bucket}/${prefix}` };
}
