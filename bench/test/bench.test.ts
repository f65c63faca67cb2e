import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBench, type BenchCounts } from '../src/bench.js';
import { saveResults, table } from '../src/report.js';
import { serverOverhead } from '../src/server-overhead.js';
import { VARIANTS } from '../src/variants.js';

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

  // The harness's child processes run bench/dist (see src/child.ts) and core's bundled dist/; an
  // incremental build is quick when nothing changed, and keeps the children from running stale code after an edit.
  beforeAll(() => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd, stdio: 'inherit' });
    execFileSync(process.execPath, ['../packages/core/scripts/bundle.mjs'], { cwd, stdio: 'inherit' });
  }, 120_000);

  const TINY: BenchCounts = {
    serverOverhead: { requests: 3, warmup: 1 },
    rounds: 1,
    infraRun: { warmup: 1, runs: 2 },
    longRuns: [
      { modelCalls: 2, warmup: 0, runs: 1 },
      { modelCalls: 4, warmup: 0, runs: 1 },
    ],
    concurrency: { sessions: 4, warmupSessions: 1, latencyMs: 5, rounds: 1 },
    coldStartRepetitions: 1,
    wireLongRunCalls: 3,
    sessionStores: { appends: 4, loads: 2, warmup: 1 },
    classify: { rounds: 1, warmup: 1, calls: 3 },
    batchThroughput: { records: 20, rounds: 1, latencyMs: 5, throttleEvery: 10, fixed: [2, 4], onlineCap: 4 },
  };

  it('runs every scenario on tiny counts, each variant in a process of its own, and reports every figure and target', async () => {
    const printed: string[] = [];
    const figures = await runBench(TINY, (text) => printed.push(text));
    const report = printed.join('\n');

    for (const heading of ['0. ', '1. ', '2. ', '3. ', '4. ', '5. ', '6. ', '7. ', '8. ', '9. ', 'targets'])
      expect(report).toContain(`\n${heading}`);
    expect(report).toContain('target: seed workload under $40/month: met by');

    expect(figures.infraRun.map((f) => f.variant)).toEqual([...VARIANTS]);
    for (const f of figures.infraRun) {
      expect(f).toMatchObject({ runs: 2, modelCalls: 3 });
      expect(f.medianMsPerStep).toBeGreaterThan(0);
      expect(f.cpuMsPerRun).toBeGreaterThan(0);
      expect(f.peakRssMb).toBeGreaterThan(0);
    }
    expect(figures.longRuns.map((l) => l.modelCalls)).toEqual([2, 4]);
    for (const length of figures.longRuns) expect(length.figures.map((f) => f.variant)).toEqual([...VARIANTS]);
    expect(figures.concurrency.map((f) => [f.variant, f.maxSockets, f.modelCalls])).toEqual([
      ['raw-default', undefined, 12],
      ['raw-pooled', undefined, 12],
      ['raw-pooled-stream', undefined, 12],
      ['novaloop-converse', undefined, 12],
      ['novaloop-stream', undefined, 12],
      ['novaloop-stream', 1000, 12],
      ['lean-converse', undefined, 12],
      ['lean-stream', undefined, 12],
    ]);
    for (const f of figures.concurrency) expect(f.wallMs).toBeGreaterThan(0);
    expect(figures.coldStart.map((f) => f.variant)).toEqual([
      'raw-default',
      'raw-pooled',
      'novaloop-converse',
      'novaloop-stream',
      'lean-converse',
      'lean-stream',
    ]);
    for (const f of figures.coldStart) expect(f.medianMs).toBeGreaterThan(f.medianLoadedMs);
    expect(figures.moduleLoad.packages.map((p) => p.name)).toEqual(['@aws-sdk/client-bedrock-runtime', 'zod', '@novaloop/core']);

    // Scenario 5 counts what the server received; every variant made every call of both conversations.
    expect(figures.wire.map((w) => w.modelCalls)).toEqual([...VARIANTS.map(() => 3), ...VARIANTS.map(() => 3)]);
    for (const w of figures.wire) expect(w.inputTokens.every((n) => n > 0)).toBe(true);

    // Scenario 6 runs every store; redis-server missing is reported, and here it must not be.
    expect(figures.skippedStores).toEqual([]);
    expect(figures.sessionStores.map((f) => f.store)).toEqual([
      'in-memory (core)',
      'sqlite (temp file, WAL)',
      'redis (redis-server, loopback)',
      'dynamodb (dynalite, in-process)',
    ]);
    for (const f of figures.sessionStores) {
      expect(f.appends).toBe(4);
      expect(f.appendP95Ms).toBeGreaterThanOrEqual(f.appendMedianMs);
      expect(f.loadP95Ms).toBeGreaterThanOrEqual(f.loadMedianMs);
    }

    expect(figures.cost.lines.map((l) => l.line)).toEqual([
      'raw-default, direct',
      'novaloop, direct',
      'novaloop + prompt caching (warm)',
      'novaloop + prompt caching (cold each request)',
      "novaloop + promptCache: 'auto' (warm)",
      'novaloop + cascade (Micro classifies; 70% on Micro)',
      "novaloop + cascade + promptCache: 'auto' (warm)",
      'Bedrock Agents (estimate)',
    ]);
    expect(figures.cost.lines[2]?.perRun.cacheReadInputTokens).toBeGreaterThan(0);
    const [direct, warm, , auto, routed, routedAuto] = figures.cost.lines.slice(1).map((l) => l.usdPerMonth);
    // Automatic caching does at least as well as the hand-placed checkpoint; the cascade beats Pro alone.
    expect(auto).toBeLessThanOrEqual(warm ?? 0);
    expect(routed).toBeLessThan(direct ?? 0);
    expect(routedAuto).toBeLessThan(40);
    expect(figures.cost.target).toMatch(/^seed workload under \$40\/month: met by "novaloop \+ cascade \+ promptCache: 'auto' \(warm\)"/);

    // Scenario 8 sends what a hand-written call sends, byte for byte, and measures both.
    expect(figures.classify.map((f) => [f.variant, f.processes, f.calls, f.sameBody])).toEqual([
      ['raw', 1, 3, true],
      ['classify', 1, 3, true],
    ]);
    for (const f of figures.classify) expect(f.cpuUsPerCall).toBeGreaterThan(0);
    expect(figures.batchThroughput.map((f) => [f.variant, f.concurrency, f.records])).toEqual([
      ['raw-fixed', 2, 20],
      ['raw-fixed', 4, 20],
      ['batch-online', 4, 20],
    ]);
    for (const f of figures.batchThroughput) expect(f.recordsPerSecond).toBeGreaterThan(0);
    expect(figures.batchThroughput.at(-1)?.lost).toBe(0);

    expect([...new Set(figures.targets.map((t) => t.scenario))]).toEqual([1, 2, 3, 4, 5, 8]);
    for (const t of figures.targets) expect(t.verdict).toMatch(/^(met|missed)/);
    // The lean transport's own targets (issue 19) are checked and printed.
    const targetNames = figures.targets.map((t) => t.target);
    for (const name of [
      'novaloop lean stream:false median ms/step vs raw-default',
      'novaloop lean (streaming) median ms/step vs raw-default',
      'novaloop lean stream:false 4 sessions: wall vs raw-pooled',
      'novaloop lean (streaming) 4 sessions: wall vs raw-pooled',
      'novaloop (streaming) CPU/run vs raw-pooled, ConverseStream',
    ]) {
      expect(targetNames).toContain(name);
    }
    expect(figures.targets.find((t) => t.target === 'novaloop lean stream:false median ms/step vs raw-default')?.limit).toBe(0.35);
  }, 90_000);
  it('loop-overhead measures the loop alone in both modes', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['dist/loop-overhead.js', '50'], { cwd, encoding: 'utf8' });
    const figures = [...out.matchAll(/^(stream:false|streaming)\s+50 runs after 3000 warm-up: CPU ([\d.]+) µs\/run/gm)];
    expect(figures.map((m) => m[1])).toEqual(['stream:false', 'streaming']);
    for (const m of figures) expect(Number(m[2])).toBeGreaterThan(0);
  }, 120_000);

  it('compare-builds measures both builds (here: this checkout against itself) and prints a row per build and variant', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['dist/compare-builds.js', '..', '1', '--cold'], { cwd, encoding: 'utf8' });
    const rows = out.split('\n').filter((line) => /^(this|other)\s/.test(line));
    expect(rows).toHaveLength(12);
    expect(rows.filter((row) => row.includes('novaloop lean (streaming)'))).toHaveLength(2);
    expect(out).toMatch(/^this\s+raw-default\s+[\d.]+\s+1\.00×/m);
  }, 120_000);
});
