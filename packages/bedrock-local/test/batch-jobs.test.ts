import {
  BedrockClient,
  CreateModelInvocationJobCommand,
  GetModelInvocationJobCommand,
  ListModelInvocationJobsCommand,
  StopModelInvocationJobCommand,
  type CreateModelInvocationJobCommandInput,
  type GetModelInvocationJobCommandOutput,
} from '@aws-sdk/client-bedrock';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type S3Server } from '@novaloop/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalBedrock, type LocalBatchOptions, type LocalBedrock, type ScriptTurn } from '../src/index.js';

const BUCKET = 'novaloop-batch';
const firstText = (block: unknown): string => String((block as { text?: unknown } | undefined)?.text ?? '');
const ROLE = 'arn:aws:iam::123456789012:role/BedrockBatch';
const MICRO = 'us.amazon.nova-micro-v1:0';

let s3server: S3Server;
let s3: S3Client;
let jobSeq = 0;

beforeAll(async () => {
  s3server = await startS3Server();
  s3 = new S3Client({ region: 'us-east-1', endpoint: s3server.endpoint, forcePathStyle: true, credentials: { ...s3server.credentials } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(async () => {
  s3.destroy();
  await s3server.stop();
});

async function withServer(
  options: { batch?: Omit<LocalBatchOptions, 's3'>; responder?: (text: string) => ScriptTurn },
  body: (server: LocalBedrock, client: BedrockClient) => Promise<void>,
) {
  const server = await startLocalBedrock({
    batch: { s3: { endpoint: s3server.endpoint }, statusDelayMs: 1, ...options.batch },
    ...(options.responder
      ? {
          responder: (call) => (options.responder as (text: string) => ScriptTurn)(firstText(call.body.messages[0]?.content?.[0])),
        }
      : {}),
  });
  // The real control-plane client, with its default (HTTP/1.1) handler and retries.
  const client = new BedrockClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 's' },
  });
  try {
    await body(server, client);
  } finally {
    client.destroy();
    await server.close();
  }
}

const record = (id: string, text: string) => ({ recordId: id, modelInput: { messages: [{ role: 'user', content: [{ text }] }] } });

async function upload(key: string, records: unknown[]): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: records.map((r) => JSON.stringify(r)).join('\n') + '\n' }));
}

async function read(key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await object.Body?.transformToString()) ?? '';
}

async function keys(prefix: string): Promise<string[]> {
  return ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key as string).sort();
}

function jobInput(prefix: string, overrides: Partial<CreateModelInvocationJobCommandInput> = {}): CreateModelInvocationJobCommandInput {
  return {
    jobName: `job-${++jobSeq}-${Date.now()}`,
    roleArn: ROLE,
    modelId: MICRO,
    modelInvocationType: 'Converse',
    inputDataConfig: { s3InputDataConfig: { s3Uri: `s3://${BUCKET}/${prefix}/input/`, s3InputFormat: 'JSONL' } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${BUCKET}/${prefix}/output/` } },
    ...overrides,
  };
}

async function waitFinal(client: BedrockClient, jobArn: string): Promise<{ job: GetModelInvocationJobCommandOutput; seen: string[] }> {
  const seen: string[] = [];
  for (;;) {
    const job = await client.send(new GetModelInvocationJobCommand({ jobIdentifier: jobArn }));
    if (seen.at(-1) !== job.status) seen.push(String(job.status));
    if (['Completed', 'PartiallyCompleted', 'Failed', 'Stopped', 'Expired'].includes(String(job.status))) return { job, seen };
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const outLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map(
      (line) =>
        JSON.parse(line) as {
          recordId: string;
          modelInput: unknown;
          modelOutput?: { output: unknown; stopReason: string; usage: { inputTokens: number } };
          error?: { errorCode: number; errorMessage: string };
        },
    );

describe('bedrock-local batch inference jobs through BedrockClient and S3', () => {
  it('runs every record through the Converse responder and writes shuffled .jsonl.out files and manifest.json.out', async () => {
    const prefix = 'complete';
    const first = Array.from({ length: 120 }, (_, i) => record(`r${String(i).padStart(4, '0')}`, `ticket ${i}`));
    const second = Array.from({ length: 30 }, (_, i) => record(`s${i}`, `other ${i}`));
    await upload(`${prefix}/input/part-1.jsonl`, first);
    await upload(`${prefix}/input/part-2.jsonl`, second);
    await withServer({ responder: (text) => ({ content: [{ text: `echo: ${text}` }] }) }, async (server, client) => {
      const { jobArn } = await client.send(new CreateModelInvocationJobCommand(jobInput(prefix)));
      expect(jobArn).toMatch(/^arn:aws:bedrock:us-east-1:123456789012:model-invocation-job\/[a-z0-9]{12}$/);
      const { job, seen } = await waitFinal(client, jobArn as string);
      expect(seen.at(-1)).toBe('Completed');
      expect(seen).toContain('InProgress');
      expect(job.submitTime).toBeInstanceOf(Date);
      expect(job.endTime).toBeInstanceOf(Date);
      expect(job).toMatchObject({
        totalRecordCount: 150,
        processedRecordCount: 150,
        successRecordCount: 150,
        errorRecordCount: 0,
        modelInvocationType: 'Converse',
      });
      const jobId = (jobArn as string).split('/').pop();
      expect(await keys(`${prefix}/output/`)).toEqual([
        `${prefix}/output/${jobId}/manifest.json.out`,
        `${prefix}/output/${jobId}/part-1.jsonl.out`,
        `${prefix}/output/${jobId}/part-2.jsonl.out`,
      ]);
      const lines = outLines(await read(`${prefix}/output/${jobId}/part-1.jsonl.out`));
      expect(lines.map((l) => l.recordId).sort()).toEqual(first.map((r) => r.recordId));
      expect(lines.map((l) => l.recordId)).not.toEqual(first.map((r) => r.recordId));
      const line = lines.find((l) => l.recordId === 'r0007');
      expect(line?.modelInput).toEqual(first[7]?.modelInput);
      expect(line?.modelOutput).toMatchObject({
        output: { message: { role: 'assistant', content: [{ text: 'echo: ticket 7' }] } },
        stopReason: 'end_turn',
      });
      expect(line?.modelOutput?.usage.inputTokens).toBeGreaterThan(0);
      const manifest = JSON.parse(await read(`${prefix}/output/${jobId}/manifest.json.out`));
      expect(manifest).toMatchObject({ totalRecordCount: 150, processedRecordCount: 150, successRecordCount: 150, errorRecordCount: 0 });
      expect(manifest.inputTokenCount).toBeGreaterThan(150);
      expect(manifest.outputTokenCount).toBeGreaterThan(150);
      expect(server.batch.jobs).toHaveLength(1);
    });
  });

  it('writes an error line for injected per-record errors and for records the service rejects', async () => {
    const prefix = 'errors';
    const records = Array.from({ length: 100 }, (_, i) => record(`r${i}`, `ticket ${i}`));
    records[5] = { recordId: 'r5', modelInput: { messages: [{ role: 'assistant', content: [{ text: 'no user first' }] }] } };
    await upload(`${prefix}/input/in.jsonl`, records);
    await withServer({}, async (server, client) => {
      server.batch.injectJob({ recordErrors: { r9: { errorCode: 429, errorMessage: 'Too many requests' } } });
      const { jobArn } = await client.send(new CreateModelInvocationJobCommand(jobInput(prefix)));
      const { job } = await waitFinal(client, jobArn as string);
      expect(job).toMatchObject({ status: 'Completed', successRecordCount: 98, errorRecordCount: 2 });
      const lines = outLines(await read(`${prefix}/output/${(jobArn as string).split('/').pop()}/in.jsonl.out`));
      expect(lines.find((l) => l.recordId === 'r9')).toMatchObject({ error: { errorCode: 429, errorMessage: 'Too many requests' } });
      const rejected = lines.find((l) => l.recordId === 'r5');
      expect(rejected?.modelOutput).toBeUndefined();
      expect(rejected?.error).toMatchObject({ errorCode: 400, errorMessage: expect.stringMatching(/start with a user message/) });
    });
  });

  it.each([
    ['PartiallyCompleted', /40 of 100 records were not processed/],
    ['Expired', /timeout of 24 hours/],
    ['Stopped', undefined],
  ] as const)('ends %s after the planned records, with their outputs and the manifest written', async (outcome, message) => {
    const prefix = `outcome-${outcome}`;
    await upload(
      `${prefix}/input/in.jsonl`,
      Array.from({ length: 100 }, (_, i) => record(`r${i}`, `t ${i}`)),
    );
    await withServer({}, async (server, client) => {
      server.batch.injectJob({ outcome, afterRecords: 60 });
      const { jobArn } = await client.send(new CreateModelInvocationJobCommand(jobInput(prefix, { timeoutDurationInHours: 24 })));
      const { job } = await waitFinal(client, jobArn as string);
      expect(job.status).toBe(outcome);
      if (message) expect(job.message).toMatch(message);
      expect(job).toMatchObject({ totalRecordCount: 100, processedRecordCount: 60 });
      const folder = `${prefix}/output/${(jobArn as string).split('/').pop()}`;
      expect(outLines(await read(`${folder}/in.jsonl.out`))).toHaveLength(60);
      expect(JSON.parse(await read(`${folder}/manifest.json.out`))).toMatchObject({ totalRecordCount: 100, processedRecordCount: 60 });
    });
  });

  it('fails a job with fewer records than the minimum, over the per-file limit, with no input, or as injected, writing nothing', async () => {
    await upload(
      'small/input/in.jsonl',
      Array.from({ length: 99 }, (_, i) => record(`r${i}`, 't')),
    );
    await upload(
      'big/input/in.jsonl',
      Array.from({ length: 120 }, (_, i) => record(`r${i}`, 't')),
    );
    await upload(
      'inject/input/in.jsonl',
      Array.from({ length: 100 }, (_, i) => record(`r${i}`, 't')),
    );
    await withServer({ batch: { maxRecordsPerFile: 110 } }, async (server, client) => {
      const run = async (prefix: string) =>
        (await waitFinal(client, (await client.send(new CreateModelInvocationJobCommand(jobInput(prefix)))).jobArn as string)).job;
      expect(await run('small')).toMatchObject({
        status: 'Failed',
        message: expect.stringMatching(/\(99\) is less than the minimum of 100/),
      });
      expect(await run('big')).toMatchObject({
        status: 'Failed',
        message: expect.stringMatching(/120 records, more than the limit of 110/),
      });
      expect(await run('nothing-here')).toMatchObject({ status: 'Failed', message: expect.stringMatching(/No \.jsonl input files/) });
      server.batch.injectJob({ outcome: 'Failed', message: 'Role cannot read the bucket.' });
      expect(await run('inject')).toMatchObject({ status: 'Failed', message: 'Role cannot read the bucket.' });
      expect(await keys('small/output/')).toEqual([]);
      expect(await keys('inject/output/')).toEqual([]);
    });
  });

  it('stops a running job with StopModelInvocationJob and lists jobs with ListModelInvocationJobs', async () => {
    const prefix = 'stop';
    await upload(
      `${prefix}/input/in.jsonl`,
      Array.from({ length: 400 }, (_, i) => record(`r${i}`, `t ${i}`)),
    );
    await withServer(
      { batch: { statusDelayMs: 5 }, responder: () => ({ content: [{ text: 'slow' }], latencyMs: 0 }) },
      async (server, client) => {
        const { jobArn } = await client.send(new CreateModelInvocationJobCommand(jobInput(prefix)));
        await client.send(new StopModelInvocationJobCommand({ jobIdentifier: jobArn }));
        const stopping = await client.send(new GetModelInvocationJobCommand({ jobIdentifier: jobArn }));
        expect(['Stopping', 'Stopped']).toContain(stopping.status);
        const { job } = await waitFinal(client, jobArn as string);
        expect(job.status).toBe('Stopped');
        expect(job.processedRecordCount).toBeLessThan(400);
        await expect(client.send(new StopModelInvocationJobCommand({ jobIdentifier: jobArn }))).rejects.toMatchObject({
          name: 'ValidationException',
        });

        const other = await client.send(new CreateModelInvocationJobCommand(jobInput(prefix, { jobName: 'nightly-listed' })));
        await server.batch.idle();
        const all = await client.send(new ListModelInvocationJobsCommand({}));
        expect(all.invocationJobSummaries?.map((j) => j.jobArn)).toEqual([other.jobArn, jobArn]);
        const named = await client.send(new ListModelInvocationJobsCommand({ nameContains: 'nightly', statusEquals: 'Completed' }));
        expect(named.invocationJobSummaries?.map((j) => j.jobName)).toEqual(['nightly-listed']);
        const paged = await client.send(new ListModelInvocationJobsCommand({ maxResults: 1 }));
        expect(paged.invocationJobSummaries).toHaveLength(1);
        const rest = await client.send(new ListModelInvocationJobsCommand({ maxResults: 1, nextToken: paged.nextToken }));
        expect(rest.invocationJobSummaries?.[0]?.jobArn).toBe(jobArn);
      },
    );
  });

  it('rejects bad requests as the service does: validation, unknown job, duplicate name; a repeated clientRequestToken is the same job', async () => {
    await withServer({}, async (_server, client) => {
      await expect(
        client.send(
          new CreateModelInvocationJobCommand(jobInput('x', { outputDataConfig: { s3OutputDataConfig: { s3Uri: 'https://bucket/out' } } })),
        ),
      ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/outputDataConfig.s3OutputDataConfig.s3Uri/) });
      await expect(client.send(new CreateModelInvocationJobCommand(jobInput('x', { roleArn: 'not-a-role' })))).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(
        client.send(new CreateModelInvocationJobCommand(jobInput('x', { modelId: 'amazon.nova-mega-v9:0' }))),
      ).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(
        client.send(
          new GetModelInvocationJobCommand({ jobIdentifier: 'arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/nope' }),
        ),
      ).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      const input = jobInput('x', { clientRequestToken: 'token-1' });
      const a = await client.send(new CreateModelInvocationJobCommand(input));
      const b = await client.send(new CreateModelInvocationJobCommand(input));
      expect(b.jobArn).toBe(a.jobArn);
      await expect(client.send(new CreateModelInvocationJobCommand({ ...input, clientRequestToken: 'token-2' }))).rejects.toMatchObject({
        name: 'ConflictException',
      });
    });
  });
});
