import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveResults, table } from '../src/report.js';
import { serverOverhead } from '../src/server-overhead.js';
import { sessionStores } from '../src/session-stores.js';

// Keeps the bench harness working; it asserts that it runs and reports, never how fast.
describe('bench harness', () => {
  it('measures every server-overhead variant and saves the figures with the environment', async () => {
    const figures = await serverOverhead({ requests: 5, warmup: 1 });
    expect(figures.map((f) => f.variant)).toEqual(['sdk converse (h2)', 'sdk converse-stream (h2)', 'fetch converse (http/1.1)']);
    for (const f of figures) {
      expect(f.requests).toBe(5);
      expect(f.medianMs).toBeGreaterThan(0);
      expect(f.p95Ms).toBeGreaterThanOrEqual(f.medianMs);
    }
    const dir = await mkdtemp(join(tmpdir(), 'bench-'));
    const saved = JSON.parse(await readFile(await saveResults('smoke', figures, `${dir}/`), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ node: process.version, figures });
    expect(table(['a', 'b'], [['x', 1.5]])).toBe('a  b    \n-  -----\nx  1.500');
  });

  it('measures append and load on every session store', async () => {
    const skipped: string[] = [];
    const figures = await sessionStores({ appends: 4, loads: 2, warmup: 1, onSkip: (store) => skipped.push(store) });
    expect(skipped).toEqual([]);
    expect(figures.map((f) => f.store)).toEqual([
      'in-memory (core)',
      'sqlite (temp file, WAL)',
      'redis (redis-server, loopback)',
      'dynamodb (dynalite, in-process)',
    ]);
    for (const f of figures) {
      expect(f.appends).toBe(4);
      expect(f.appendP95Ms).toBeGreaterThanOrEqual(f.appendMedianMs);
      expect(f.loadP95Ms).toBeGreaterThanOrEqual(f.loadMedianMs);
    }
  });
});
