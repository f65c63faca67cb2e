import { modelInfo } from '@novaloop/core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { z as z3 } from 'zod3';
import { batch, type BatchProgress } from '../src/index.js';
import { EXPECTED, LABELS, startBackends, tickets, type Backends } from './helpers.js';

let backends: Backends;
const dir = mkdtempSync(join(tmpdir(), 'novaloop-batch-online-'));
beforeAll(async () => {
  backends = await startBackends();
});
afterAll(async () => {
  await backends.stop();
  rmSync(dir, { recursive: true, force: true });
});

const quiet = { progress: false } as const;

describe('batch() online mode against bedrock-local', () => {
  it('classifies every record through Converse, typed and in input order, with usage and list-price cost', async () => {
    const records = tickets(40);
    const sentBefore = backends.bedrock.requests.length;
    const report = await batch(records, { classify: { labels: LABELS } }, { clientConfig: backends.clientConfig, ...quiet });
    expect(report.mode).toBe('online');
    expect(report.results.map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(report.results.map((r) => (r.ok ? r.value : r.error.code))).toEqual(records.map((_, i) => EXPECTED[i % 4]));
    const first = report.results[0];
    if (!first?.ok) throw new Error('expected a value');
    const label: 'BILLING' | 'TECHNICAL' | 'SHIPPING' | 'OTHER' = first.value;
    expect(label).toBe('BILLING');
    expect(first.record).toBe(records[0]);
    expect(first.usage.inputTokens).toBeGreaterThan(0);
    const price = modelInfo('us.amazon.nova-micro-v1:0').price;
    expect(first.costUsd).toBeCloseTo(
      (first.usage.inputTokens * price!.inputPer1M + first.usage.outputTokens * price!.outputPer1M) / 1e6,
      12,
    );
    expect(report).toMatchObject({ succeeded: 40, failed: 0, resumed: 0, dryRun: false });
    expect(report.costUsd).toBeCloseTo(
      report.results.reduce((n, r) => n + (r.costUsd ?? 0), 0),
      12,
    );
    expect(backends.bedrock.requests.length - sentBefore).toBe(40);
  });

  it('halves concurrency on throttling and adds back one at a time, losing no record', async () => {
    backends.bedrock.injectFaults({ fault: { kind: 'throttling' }, times: 25, model: 'us.amazon.nova-micro-v1:0' });
    const seen: BatchProgress[] = [];
    const report = await batch(
      tickets(120, 'aimd'),
      { classify: { labels: LABELS } },
      {
        clientConfig: backends.clientConfig,
        concurrency: { initial: 16, max: 20 },
        maxAttempts: 20,
        onProgress: (p) => seen.push(p),
        ...quiet,
      },
    );
    backends.bedrock.clearFaults();
    expect(report.failed).toBe(0);
    expect(report.succeeded).toBe(120);
    const limits = seen.map((p) => p.concurrency ?? 0);
    expect(Math.min(...limits)).toBeLessThanOrEqual(8);
    expect(Math.max(...limits)).toBeLessThanOrEqual(20);
    // After the throttling stopped, the limit grew again.
    const lowest = limits.indexOf(Math.min(...limits));
    expect(Math.max(...limits.slice(lowest))).toBeGreaterThan(Math.min(...limits));
    expect(seen.at(-1)).toMatchObject({ done: 120, total: 120, succeeded: 120, failed: 0 });
  });

  it('reports per-record errors: an answer outside the labels, throttling past maxAttempts', async () => {
    const records = [...tickets(6, 'e'), { id: 'odd', text: 'something weird' }];
    const report = await batch(records, { classify: { labels: LABELS } }, { clientConfig: backends.clientConfig, ...quiet });
    const odd = report.results.find((r) => r.id === 'odd');
    expect(odd).toMatchObject({ ok: false, error: { code: 'CLASSIFICATION_FAILED', message: expect.stringMatching(/NOT-A-LABEL/) } });
    // The answer was billed even though it was unusable.
    expect(odd?.usage.outputTokens).toBeGreaterThan(0);
    expect(odd?.costUsd).toBeGreaterThan(0);
    expect(report).toMatchObject({ succeeded: 6, failed: 1 });

    backends.bedrock.injectFaults({ fault: { kind: 'throttling' }, times: Infinity });
    try {
      const throttled = await batch(
        tickets(2, 'thr'),
        { classify: { labels: LABELS } },
        { clientConfig: backends.clientConfig, maxAttempts: 2, ...quiet },
      );
      expect(throttled.results.map((r) => (r.ok ? 'ok' : `${r.error.code}/${r.error.serviceCode}`))).toEqual([
        'BEDROCK_RETRIES_EXHAUSTED/ThrottlingException',
        'BEDROCK_RETRIES_EXHAUSTED/ThrottlingException',
      ]);
    } finally {
      backends.bedrock.clearFaults();
    }
  });

  it.each([
    ['zod 4', z.object({ orderId: z.string(), urgent: z.boolean() })],
    ['zod 3', z3.object({ orderId: z3.string(), urgent: z3.boolean() })],
  ])('extracts with a %s schema, typed by it', async (_name, schema) => {
    const report = await batch(tickets(3, 'x'), { extract: schema }, { clientConfig: backends.clientConfig, ...quiet });
    expect(report.succeeded).toBe(3);
    const first = report.results[0];
    if (!first?.ok) throw new Error('expected a value');
    const orderId: string = first.value.orderId;
    expect(orderId).toBe('example');
    expect(first.value.urgent).toBe(true);
  });

  it('fills a prompt template from each record and returns the text', async () => {
    const records = [
      { id: 'a', subject: 'Login', body: 'cannot log in' },
      { id: 'b', subject: 'Parcel', body: 'late' },
    ];
    const sentBefore = backends.bedrock.requests.length;
    const report = await batch(
      records,
      { prompt: { system: 'You reply to {{subject}} tickets.', user: 'Reply to: {{body}}' } },
      {
        clientConfig: backends.clientConfig,
        ...quiet,
      },
    );
    const texts = report.results.map((r) => (r.ok ? r.value : ''));
    expect(texts[0]).toContain('You said: "Reply to: cannot log in"');
    const sent = backends.bedrock.requests.slice(sentBefore).map((r) => r.body as { system?: { text: string }[] });
    expect(sent.map((body) => body.system?.[0]?.text).sort()).toEqual(['You reply to Login tickets.', 'You reply to Parcel tickets.']);
  });

  it('estimates tokens and cost without sending anything (dryRun), batch pricing at half', async () => {
    const sentBefore = backends.bedrock.requests.length;
    const online = await batch(
      tickets(200, 'dry'),
      { classify: { labels: LABELS } },
      { dryRun: true, clientConfig: backends.clientConfig, ...quiet },
    );
    expect(backends.bedrock.requests.length).toBe(sentBefore);
    expect(online.results).toEqual([]);
    expect(online.dryRun).toBe(true);
    expect(online.estimate.records).toBe(200);
    expect(online.estimate.inputTokens).toBeGreaterThan(200 * 20);
    expect(online.estimate.costUsd).toBeGreaterThan(0);
    expect(online.estimate.maxCostUsd).toBeGreaterThan(online.estimate.costUsd as number);
    const job = await batch(
      tickets(200, 'dry'),
      { classify: { labels: LABELS } },
      {
        dryRun: true,
        mode: 'bedrock-batch',
        bedrockBatch: { roleArn: 'arn:aws:iam::123456789012:role/R', inputS3Uri: 's3://bucket-a/in/', outputS3Uri: 's3://bucket-a/out/' },
        ...quiet,
      },
    );
    expect(job.estimate.mode).toBe('bedrock-batch');
    expect(job.estimate.costUsd).toBeCloseTo((online.estimate.costUsd as number) / 2, 12);
  });

  it('draws a bar on a TTY and plain lines every N records otherwise', async () => {
    const writes = (isTTY: boolean) => {
      const chunks: string[] = [];
      return { chunks, stream: Object.assign(new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(String(c)), cb()) }), { isTTY }) };
    };
    const plain = writes(false);
    await batch(
      tickets(25, 'pl'),
      { classify: { labels: LABELS } },
      { clientConfig: backends.clientConfig, progressStream: plain.stream, progressEvery: 10 },
    );
    const lines = plain.chunks.join('').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^batch online: 10\/25 records · 0 errors · \d+ tokens · \$[\d.]+/);
    expect(lines[2]).toMatch(/^batch online: 25\/25 records/);
    const tty = writes(true);
    await batch(tickets(5, 'tty'), { classify: { labels: LABELS } }, { clientConfig: backends.clientConfig, progressStream: tty.stream });
    const out = tty.chunks.join('');
    expect(out).toMatch(/\r\[#{24}\] 5\/5 0 errors/);
    expect(out.endsWith('\n')).toBe(true);
  });

  it('checkpoints each finished record and skips them when run again', async () => {
    const path = join(dir, 'again.jsonl');
    const records = tickets(30, 'cp');
    const first = await batch(
      records,
      { classify: { labels: LABELS } },
      { clientConfig: backends.clientConfig, checkpoint: path, ...quiet },
    );
    expect(first.resumed).toBe(0);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(31);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ novaloopBatchCheckpoint: 1, mode: 'online' });
    const sentBefore = backends.bedrock.requests.length;
    const again = await batch(
      records,
      { classify: { labels: LABELS } },
      { clientConfig: backends.clientConfig, checkpoint: path, ...quiet },
    );
    expect(backends.bedrock.requests.length).toBe(sentBefore);
    expect(again.resumed).toBe(30);
    expect(again.results.map((r) => (r.ok ? r.value : undefined))).toEqual(first.results.map((r) => (r.ok ? r.value : undefined)));
    await expect(
      batch(records, { classify: { labels: ['A', 'B'] } }, { clientConfig: backends.clientConfig, checkpoint: path, ...quiet }),
    ).rejects.toMatchObject({ code: 'BATCH_CHECKPOINT_MISMATCH' });
  });
});
