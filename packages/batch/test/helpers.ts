import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalBedrock, type LocalBedrock, type LocalBedrockOptions } from '@novaloop/bedrock-local';
import type { ClientConfig } from '@novaloop/core';
import { startS3Server, type S3Server } from '@novaloop/test-servers';

export const LABELS = ['BILLING', 'TECHNICAL', 'SHIPPING', 'OTHER'] as const;
export const BUCKET = 'novaloop-batch-test';
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/NovaloopBatch';

/** Keyword rules bedrock-local answers classify() requests with. */
export const CLASSIFY_RULES = [
  { match: 'invoice|refund|charge', label: 'BILLING' },
  { match: 'crash|error|login', label: 'TECHNICAL' },
  { match: 'parcel|delivery|tracking', label: 'SHIPPING' },
  { match: 'weird', label: 'NOT-A-LABEL' },
  { label: 'OTHER' },
];

const TOPICS = ['my invoice is wrong', 'the app shows an error', 'where is my parcel', 'I like your shop'];
export const EXPECTED = ['BILLING', 'TECHNICAL', 'SHIPPING', 'OTHER'];

export interface Ticket {
  id: string;
  text: string;
  [key: string]: unknown;
}

/** `n` tickets cycling through the four topics; ticket i's expected label is EXPECTED[i % 4]. */
export const tickets = (n: number, prefix = 't'): Ticket[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, text: `${TOPICS[i % 4]} (#${i})` }));

export interface Backends {
  bedrock: LocalBedrock;
  s3server: S3Server;
  clientConfig: ClientConfig;
  s3Config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  stop(): Promise<void>;
}

/** bedrock-local (with batch jobs on a local s3rver) and the bucket, for one test file. */
export async function startBackends(options: Omit<LocalBedrockOptions, 'batch'> & { statusDelayMs?: number } = {}): Promise<Backends> {
  const s3server = await startS3Server();
  const s3Config = { endpoint: s3server.endpoint, region: s3server.region, credentials: s3server.credentials };
  const { statusDelayMs, ...rest } = options;
  const bedrock = await startLocalBedrock({
    script: { classify: CLASSIFY_RULES },
    recordRequests: true,
    ...rest,
    batch: { s3: s3Config, statusDelayMs: statusDelayMs ?? 2 },
  });
  const s3 = new S3Client({ ...s3Config, forcePathStyle: true, credentials: { ...s3Config.credentials } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  s3.destroy();
  return {
    bedrock,
    s3server,
    clientConfig: { region: 'us-east-1', endpoint: bedrock.endpoint, credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } },
    s3Config,
    stop: async () => {
      await bedrock.close();
      await s3server.stop();
    },
  };
}

/** bedrockBatch options pointing at the local S3, under `prefix`. */
export const jobOptions = (backends: Backends, prefix: string) => ({
  roleArn: ROLE_ARN,
  inputS3Uri: `s3://${BUCKET}/${prefix}/input/`,
  outputS3Uri: `s3://${BUCKET}/${prefix}/output/`,
  s3Config: backends.s3Config,
  pollIntervalMs: 5,
  maxPollIntervalMs: 20,
});
