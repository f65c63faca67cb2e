import { describe, expect, it } from 'vitest';
import { LABELS, main, syntheticTickets } from '../src/nightly-triage.js';

describe('nightly triage, offline on bedrock-local and s3rver', () => {
  it('makes deterministic tickets spread evenly over the labels', () => {
    const tickets = syntheticTickets(1_000);
    expect(new Set(tickets.map((t) => t.id)).size).toBe(1_000);
    for (const label of LABELS) expect(tickets.filter((t) => t.expected === label)).toHaveLength(200);
  });

  it('classifies in a batch job and online, prints counts per label, errors, wall time and cost; batch costs half', async () => {
    const printed: string[] = [];
    const [inBatch, online] = await main((line) => printed.push(line), 500);
    expect(inBatch?.mode).toBe('bedrock-batch');
    expect(online?.mode).toBe('online');
    // Two records fail in the job on purpose; online mode is throttled and loses nothing.
    expect(inBatch?.errors).toBe(2);
    expect(online?.errors).toBe(0);
    expect(online?.counts).toEqual({ BILLING: 100, TECHNICAL: 100, SHIPPING: 100, RETURNS: 100, OTHER: 100 });
    expect(Object.values(inBatch?.counts ?? {}).reduce((a, b) => a + b, 0)).toBe(498);
    // Every classified record got its expected label.
    for (const summary of [inBatch, online]) {
      for (const result of summary?.report.results ?? []) if (result.ok) expect(result.value).toBe(result.record.expected);
    }
    expect((inBatch?.costUsd ?? 0) / (online?.costUsd ?? 1)).toBeCloseTo(0.5, 2);
    const report = printed.join('\n');
    expect(report).toMatch(/^bedrock-batch +99 +99 +100 +100 +100 +2 +[\d.]+ s +\$0\.\d+$/m);
    expect(report).toMatch(/^online +100 +100 +100 +100 +100 +0 +[\d.]+ s +\$0\.\d+$/m);
    expect(report).toContain('bedrock-batch error T-0007: BATCH_RECORD_ERROR');
    expect(report).toMatch(/online mode was throttled \d+ times, retried and lost 0\./);
    expect(report).toMatch(/Batch inference cost \$[\d.]+ against \$[\d.]+ online \(50%\)\./);
  });
});
