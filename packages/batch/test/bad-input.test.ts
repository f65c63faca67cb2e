import { isNovaloopError } from '@novaloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { z as z3 } from 'zod3';
import { batch, BatchInputError } from '../src/index.js';
import { jobOptions, LABELS, startBackends, tickets, type Backends } from './helpers.js';

let backends: Backends;
beforeAll(async () => {
  backends = await startBackends();
});
afterAll(() => backends.stop());

const classify = { classify: { labels: LABELS } } as const;

/** Expects `run` to reject with a typed error of `code`, having sent nothing and created no job. */
async function refused(run: () => Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const requests = backends.bedrock.requests.length;
  const jobs = backends.bedrock.batch.jobs.length;
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isNovaloopError(error)).toBe(true);
  expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
  expect(backends.bedrock.requests.length).toBe(requests);
  expect(backends.bedrock.batch.jobs.length).toBe(jobs);
}

describe('batch() refuses bad input with a typed error before sending anything', () => {
  it('records without ids where ids are required (a batch job, a checkpoint)', async () => {
    const records = tickets(120).map(({ text }, i) => (i === 7 ? { text } : { id: `t${i}`, text }));
    await refused(
      () =>
        batch(records, classify, {
          mode: 'bedrock-batch',
          bedrockBatch: jobOptions(backends, 'ids'),
          clientConfig: backends.clientConfig,
          progress: false,
        }),
      'BATCH_RECORD_ID_MISSING',
      /record 7 has no id, and a batch job needs one/,
    );
    await refused(
      () => batch(records, classify, { checkpoint: '/tmp/never-written.jsonl', clientConfig: backends.clientConfig, progress: false }),
      'BATCH_RECORD_ID_MISSING',
      /a checkpoint needs one/,
    );
    // Online without a checkpoint, ids are optional: results are numbered by position.
    const report = await batch([{ text: 'my invoice' }, { text: 'an error' }], classify, {
      clientConfig: backends.clientConfig,
      progress: false,
    });
    expect(report.results.map((r) => r.id)).toEqual(['0', '1']);
  });

  it('duplicate ids', async () => {
    const records = [...tickets(3), { id: 't1', text: 'again' }];
    await refused(
      () => batch(records, classify, { clientConfig: backends.clientConfig, progress: false }),
      'BATCH_RECORD_ID_DUPLICATE',
      /records 1 and 3 share the id "t1"/,
    );
  });

  it.each([
    ['zod 4 string', z.string()],
    ['zod 3 array', z3.array(z3.string())],
    ['not a schema', { type: 'object' }],
  ])('an extract schema that is not an object (%s)', async (_name, schema) => {
    await refused(
      () => batch(tickets(2), { extract: schema as never }, { clientConfig: backends.clientConfig, progress: false }),
      'EXTRACT_SCHEMA',
      /^batch\(\): /,
    );
  });

  it.each(['https://my-bucket.s3.amazonaws.com/in/', 'arn:aws:s3:::my-bucket', 'my-bucket/in/', 's3://UPPER/in/'])(
    'an S3 URI that is not s3:// (%s)',
    async (uri) => {
      const error = batch(tickets(120), classify, {
        mode: 'bedrock-batch',
        bedrockBatch: { ...jobOptions(backends, 'uri'), inputS3Uri: uri },
        progress: false,
      });
      await refused(() => error, 'BATCH_S3_URI_INVALID', /bedrockBatch\.inputS3Uri must be an S3 URI like s3:\/\/my-bucket\/batch\//);
    },
  );

  it('a prompt placeholder a record lacks, a missing text field, a bad mode or missing job options', async () => {
    await refused(
      () =>
        batch(
          [{ id: 'a', body: 'x' }, { id: 'b' }],
          { prompt: { user: 'Reply to {{body}}' } },
          { clientConfig: backends.clientConfig, progress: false },
        ),
      'BATCH_TEMPLATE_FIELD',
      /record "b" has no "body"/,
    );
    await refused(
      () => batch([{ id: 'a', body: 'x' }], classify, { clientConfig: backends.clientConfig, progress: false }),
      'BATCH_CONFIG',
      /no string "text" field/,
    );
    await refused(() => batch(tickets(2), classify, { mode: 'fast' as never, progress: false }), 'BATCH_CONFIG', /mode must be/);
    await refused(() => batch(tickets(200), classify, { mode: 'bedrock-batch', progress: false }), 'BATCH_CONFIG', /needs `bedrockBatch/);
    await refused(
      () =>
        batch(tickets(200), classify, {
          mode: 'bedrock-batch',
          bedrockBatch: { ...jobOptions(backends, 'r'), roleArn: 'MyRole' },
          progress: false,
        }),
      'BATCH_CONFIG',
      /roleArn must be the ARN/,
    );
    await expect(batch(tickets(2), classify, { mode: 'fast' as never, progress: false })).rejects.toBeInstanceOf(BatchInputError);
  });
});
