// Scenario 4: a fresh `node` process on the built dist/ that makes one run: from spawn to the answer on its stdout,
// module loading, client construction and the first (unwarmed) calls included. Variants take turns
// within each repetition, so drift on the machine hits them alike.
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { performance } from 'node:perf_hooks';
import { runScript } from '../child.js';
import { ascending, median, percentile } from '../stats.js';
import type { Variant } from '../variants.js';
import { INFRA_SCRIPT } from '../workload.js';

const COLD_VARIANTS = [
  'raw-default',
  'raw-pooled',
  'novaloop-converse',
  'novaloop-stream',
  'lean-converse',
  'lean-stream',
] as const satisfies readonly Variant[];

/** Each variant's one-run script under dist/, and its arguments after the endpoint. */
export const COLD_SCRIPTS: Record<(typeof COLD_VARIANTS)[number], string[]> = {
  'raw-default': ['cold-start/raw', 'raw-default'],
  'raw-pooled': ['cold-start/raw', 'raw-pooled'],
  'novaloop-converse': ['cold-start/novaloop', 'converse'],
  'novaloop-stream': ['cold-start/novaloop', 'stream'],
  'lean-converse': ['cold-start/novaloop', 'converse', 'lean'],
  'lean-stream': ['cold-start/novaloop', 'stream', 'lean'],
};

export interface ColdStartFigures {
  variant: Variant;
  runs: number;
  medianMs: number;
  minMs: number;
  p95Ms: number;
  /** Measured by the child from its own time origin (process start): its modules loaded, then its answer. */
  medianLoadedMs: number;
  medianAnsweredMs: number;
}

export async function coldStart(endpoint: string, repetitions: number): Promise<ColdStartFigures[]> {
  const times = new Map<Variant, { spawnMs: number[]; loadedMs: number[]; answeredMs: number[] }>(
    COLD_VARIANTS.map((v) => [v, { spawnMs: [], loadedMs: [], answeredMs: [] }]),
  );
  for (let rep = 0; rep < repetitions; rep++) {
    for (const variant of COLD_VARIANTS) {
      const [script = '', ...args] = COLD_SCRIPTS[variant];
      const started = performance.now();
      const { lines, stderr } = await runScript(script, [endpoint, ...args]);
      if (stderr) process.stderr.write(stderr);
      const answer = lines.find((line) => line.text.startsWith('{"answer"'));
      if (!answer) throw new Error(`cold start ${variant}: no answer printed`);
      const printed = JSON.parse(answer.text) as { answer: string; loadedMs: number; answeredMs: number };
      if (!printed.answer) throw new Error(`cold start ${variant}: empty answer`);
      const entry = times.get(variant);
      entry?.spawnMs.push(answer.atMs - started);
      entry?.loadedMs.push(printed.loadedMs);
      entry?.answeredMs.push(printed.answeredMs);
    }
  }
  return COLD_VARIANTS.map((variant) => {
    const spawnMs = ascending(times.get(variant)?.spawnMs ?? []);
    return {
      variant,
      runs: spawnMs.length,
      medianMs: percentile(spawnMs, 50),
      minMs: spawnMs[0] ?? NaN,
      p95Ms: percentile(spawnMs, 95),
      medianLoadedMs: median(times.get(variant)?.loadedMs ?? []),
      medianAnsweredMs: median(times.get(variant)?.answeredMs ?? []),
    };
  });
}

export interface ModuleLoadFigures {
  /** In import order; each is what the package adds to the ones before it. */
  packages: Array<{ name: string; medianMs: number }>;
  runs: number;
}

/** The median time each package adds to a fresh process's start-up, over `repetitions` processes. */
export async function moduleLoad(repetitions: number): Promise<ModuleLoadFigures> {
  const samples = new Map<string, number[]>();
  for (let rep = 0; rep < repetitions; rep++) {
    const { lines } = await runScript('cold-start/imports', []);
    const added = JSON.parse(lines.at(-1)?.text ?? '{}') as Record<string, number>;
    for (const [name, ms] of Object.entries(added)) samples.set(name, [...(samples.get(name) ?? []), ms]);
  }
  return { packages: [...samples].map(([name, ms]) => ({ name, medianMs: median(ms) })), runs: repetitions };
}

/** Scenario 4 alone (`pnpm bench -- --only cold`), on a bedrock-local of its own serving the infra script as the full run does. */
export async function coldStartAlone(repetitions: number): Promise<{ coldStart: ColdStartFigures[]; moduleLoad: ModuleLoadFigures }> {
  const server = await startLocalBedrock({ script: INFRA_SCRIPT, recordRequests: false });
  try {
    return { coldStart: await coldStart(server.endpoint, repetitions), moduleLoad: await moduleLoad(repetitions) };
  } finally {
    await server.close();
  }
}
