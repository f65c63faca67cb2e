import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { modelInfo } from '@novaloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { z as z3 } from 'zod3';
import { batch, type BatchProgress } from '../src/index.js';
import { BUCKET, EXPECTED, jobOptions, LABELS, startBackends, tickets, type Backends } from './helpers.js';

let backends: Backends;
let s3: S3Client;
const dir = mkdtempSync(join(tmpdir(), 'novaloop-batch-job-'));
beforeAll(async () => {
  backends = await startBackends();
  s3 = new S3Client({ ...backends.s3Config, forcePathStyle: true, credentials: { ...backends.s3Config.credentials } });
});
afterAll(async () => {
  s3.destroy();
  await backends.stop();
  rmSync(dir, { recursive: true, force: true });
});

const keys = async (prefix: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key as string).sort();
const read = async (key: string) =>
  (await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString()) ?? '';
const run = (records: unknown[], prefix: string, extra: Record<string, unknown> = {}, options: { checkpoint?: string } = {}) =>
  batch(
    records as ReturnType<typeof tickets>,
    { classify: { labels: LABELS } },
    {
      mode: 'bedrock-batch',
      clientConfig: backends.clientConfig,
      bedrockBatch: { ...jobOptions(backends, prefix), ...extra },
      progress: false,
      ...options,
    },
  );

describe("batch() mode 'bedrock-batch' against bedrock-local and s3rver", () => {
  it('writes Converse JSONL split at the per-file limit, runs the job, and maps shuffled outputs back by recordId at half price', async () => {
    const records = tickets(250, 'b');
    const seen: BatchProgress[] = [];
    const report = await batch(
      records,
      { classify: { labels: LABELS } },
      {
        mode: 'bedrock-batch',
        clientConfig: backends.clientConfig,
        bedrockBatch: { ...jobOptions(backends, 'split'), maxRecordsPerFile: 100, jobName: 'nightly-split' },
        onProgress: (p) => seen.push(p),
        progress: false,
      },
    );
    expect(report.mode).toBe('bedrock-batch');
    expect(report.job).toMatchObject({ status: 'Completed', missing: [], manifest: { totalRecordCount: 250, successRecordCount: 250 } });
    expect(report.results.map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(report.results.map((r) => (r.ok ? r.value : r.error.code))).toEqual(records.map((_, i) => EXPECTED[i % 4]));
    const inputs = await keys('split/input/nightly-split/');
    expect(inputs).toEqual(['00001', '00002', '00003'].map((n) => `split/input/nightly-split/records-${n}.jsonl`));
    expect((await read(inputs[2] as string)).trim().split('\n')).toHaveLength(50);
    const jobId = report.job?.jobArn.split('/').pop();
    expect(await keys(`split/output/${jobId}/`)).toHaveLength(4);

    const price = modelInfo('us.amazon.nova-micro-v1:0').price as { inputPer1M: number; outputPer1M: number };
    const first = report.results[0];
    if (!first?.ok) throw new Error('expected a value');
    const list = (first.usage.inputTokens * price.inputPer1M + first.usage.outputTokens * price.outputPer1M) / 1e6;
    expect(first.costUsd).toBeCloseTo(list / 2, 12);
    expect(report.usage.inputTokens).toBe(report.job?.manifest?.inputTokenCount);
    expect(seen.map((p) => p.phase)).toEqual(expect.arrayContaining(['submitted', 'running', 'reading', 'done']));
    expect(seen.some((p) => p.jobStatus === 'InProgress' || p.jobStatus === 'Completed')).toBe(true);
  });

  it("a record's modelInput is exactly the request the online call sends", async () => {
    const records = tickets(100, 'same');
    await run(records, 'same', { jobName: 'same-request' });
    const line = (await read('same/input/same-request/records-00001.jsonl')).split('\n')[0] as string;
    const { recordId, modelInput } = JSON.parse(line) as { recordId: string; modelInput: unknown };
    expect(recordId).toBe('same0');
    const before = backends.bedrock.requests.length;
    await batch(records.slice(0, 1), { classify: { labels: LABELS } }, { clientConfig: backends.clientConfig, progress: false });
    expect(backends.bedrock.requests.at(before)?.body).toEqual(modelInput);
  });

  it('reports per-record errors: error lines from the job, and outputs failing the schema (zod 4 and zod 3)', async () => {
    backends.bedrock.batch.injectJob({ recordErrors: { b3: { errorCode: 400, errorMessage: 'Malformed input request' } } });
    const report = await run(tickets(100, 'b'), 'record-errors');
    expect(report.results.find((r) => r.id === 'b3')).toMatchObject({
      ok: false,
      error: { code: 'BATCH_RECORD_ERROR', serviceCode: '400', message: expect.stringMatching(/400 Malformed input request/) },
    });
    expect(report.failed).toBe(1);

    for (const schema of [z.object({ orderId: z.string().min(20) }), z3.object({ orderId: z3.string().min(20) })]) {
      const extracted = await batch(
        tickets(100, 'x'),
        { extract: schema },
        {
          mode: 'bedrock-batch',
          clientConfig: backends.clientConfig,
          bedrockBatch: jobOptions(backends, 'extract'),
          progress: false,
        },
      );
      // bedrock-local fills a string with "example", which the schema refuses.
      expect(extracted.failed).toBe(100);
      expect(extracted.results[0]).toMatchObject({
        ok: false,
        error: { code: 'EXTRACTION_FAILED', message: expect.stringMatching(/orderId/) },
      });
    }
  });

  it('runs a prompt template over records read from an async iterable', async () => {
    async function* generate() {
      for (let i = 0; i < 100; i++) yield { id: `p${i}`, subject: `ticket ${i}` };
    }
    const report = await batch(
      generate(),
      { prompt: { system: 'Be brief.', user: 'Summarise {{subject}}' } },
      {
        mode: 'bedrock-batch',
        clientConfig: backends.clientConfig,
        bedrockBatch: jobOptions(backends, 'prompt'),
        progress: false,
      },
    );
    expect(report.succeeded).toBe(100);
    const last = report.results[99];
    if (!last?.ok) throw new Error('expected a value');
    const text: string = last.value;
    expect(text).toContain('You said: "Summarise ticket 99"');
  });

  it.each([
    ['PartiallyCompleted', 70],
    ['Stopped', 30],
    ['Expired', 50],
  ] as const)('a %s job is a typed outcome listing the records without results', async (outcome, afterRecords) => {
    backends.bedrock.batch.injectJob({ outcome, afterRecords });
    const report = await run(tickets(100, 'o'), `outcome-${outcome}`);
    expect(report.job?.status).toBe(outcome);
    expect(report.job?.missing).toHaveLength(100 - afterRecords);
    expect(report.succeeded).toBe(afterRecords);
    const missing = new Set(report.job?.missing);
    for (const result of report.results) {
      if (missing.has(result.id))
        expect(result).toMatchObject({ ok: false, error: { code: 'BATCH_NO_RESULT', message: expect.stringContaining(outcome) } });
      else expect(result.ok).toBe(true);
    }
  });

  it('a Failed job has every record without a result, and its message', async () => {
    backends.bedrock.batch.injectJob({ outcome: 'Failed', message: 'The role cannot read the input.' });
    const report = await run(tickets(100, 'f'), 'failed');
    expect(report.job).toMatchObject({ status: 'Failed', message: 'The role cannot read the input.' });
    expect(report.job?.missing).toHaveLength(100);
    expect(report.results[0]).toMatchObject({
      ok: false,
      error: { code: 'BATCH_NO_RESULT', message: expect.stringMatching(/Failed \(The role cannot read the input\.\)/) },
    });
    expect(report.costUsd).toBe(0);
  });

  it('resumes a job from its ARN after a restart, without creating another', async () => {
    const records = tickets(100, 'r');
    const aborted = new AbortController();
    let arn: string | undefined;
    await expect(
      batch(
        records,
        { classify: { labels: LABELS } },
        {
          mode: 'bedrock-batch',
          clientConfig: backends.clientConfig,
          bedrockBatch: {
            ...jobOptions(backends, 'resume'),
            onJobCreated: (jobArn) => {
              arn = jobArn;
              aborted.abort(new Error('process restarted'));
            },
          },
          signal: aborted.signal,
          progress: false,
        },
      ),
    ).rejects.toThrow('process restarted');
    expect(arn).toMatch(/model-invocation-job/);
    const jobs = backends.bedrock.batch.jobs.length;
    const report = await run(records, 'resume', { jobArn: arn });
    expect(backends.bedrock.batch.jobs.length).toBe(jobs);
    expect(report.job?.jobArn).toBe(arn);
    expect(report.succeeded).toBe(100);
  });

  it("a job's checkpoint resumes that job only for the same records; an unwritable path is a typed error", async () => {
    const path = join(dir, 'job-checkpoint.jsonl');
    const first = await run(tickets(100, 'c1'), 'checkpointed', {}, { checkpoint: path });
    expect(first.job?.status).toBe('Completed');
    const jobs = backends.bedrock.batch.jobs.length;
    const again = await run(tickets(100, 'c1'), 'checkpointed', {}, { checkpoint: path });
    expect(again.job?.jobArn).toBe(first.job?.jobArn);
    expect(again.succeeded).toBe(100);
    expect(backends.bedrock.batch.jobs.length).toBe(jobs);
    await expect(run(tickets(100, 'c2'), 'checkpointed', {}, { checkpoint: path })).rejects.toMatchObject({
      code: 'BATCH_CHECKPOINT_MISMATCH',
    });
    await expect(run(tickets(100, 'c3'), 'checkpointed', {}, { checkpoint: join(dir, 'missing', 'x.jsonl') })).rejects.toMatchObject({
      code: 'BATCH_CONFIG',
      message: expect.stringMatching(/cannot use the checkpoint/),
    });
    expect(backends.bedrock.batch.jobs.length).toBe(jobs);
  });

  it("fewer than the minimum records: a BATCH_TOO_FEW_RECORDS error, or online with mode 'auto'", async () => {
    const before = backends.bedrock.batch.jobs.length;
    await expect(run(tickets(99, 'few'), 'few')).rejects.toMatchObject({
      code: 'BATCH_TOO_FEW_RECORDS',
      message: expect.stringMatching(/at least 100 records; there are 99.*mode: 'auto'/),
    });
    expect(await keys('few/')).toEqual([]);
    const report = await batch(
      tickets(12, 'few'),
      { classify: { labels: LABELS } },
      {
        mode: 'auto',
        clientConfig: backends.clientConfig,
        bedrockBatch: jobOptions(backends, 'few'),
        progress: false,
      },
    );
    expect(report.mode).toBe('online');
    expect(report.switchedToOnline).toMatch(/12 records are fewer than the batch job minimum of 100/);
    expect(report.succeeded).toBe(12);
    expect(backends.bedrock.batch.jobs.length).toBe(before);
    const big = await batch(
      tickets(100, 'big'),
      { classify: { labels: LABELS } },
      {
        mode: 'auto',
        clientConfig: backends.clientConfig,
        bedrockBatch: jobOptions(backends, 'auto'),
        progress: false,
      },
    );
    expect(big.mode).toBe('bedrock-batch');
  });
});
