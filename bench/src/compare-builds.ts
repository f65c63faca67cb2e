// `node bench/dist/compare-builds.js OTHER [rounds] [warmup runs] [--sessions | --cold]`: one of the
// bench's scenarios measured on two builds in one run, for a before-and-after on the same machine at
// the same time. OTHER is another checkout of novaloop (a `git worktree` of an older commit, say) with
// its packages and bench built. Each round starts a fresh process per variant and build, alternating
// which build goes first, against bedrock-local servers in this process; the processes are the other
// build's own (its variant-process and cold-start scripts), so each build is measured with its own code.
// - default: scenario 1's job (100 warm-up runs, then 150 measured; `warmup runs` changes that, e.g.
//   `1000 1000` for the steady state after the JIT compiler is done);
// - `--sessions`: scenario 3's job (1,000 concurrent sessions at 50 ms after 100 warm-up ones);
// - `--cold`: scenario 4's one-run scripts, timed from spawn to the answer on stdout.
// A variant the other build does not have (the lean transport before it existed) runs on this build only.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startLocalBedrock } from '@novaloop/bedrock-local';
import type { ConcurrentJob, ConcurrentResult, SequentialJob, WorkloadResult } from './jobs.js';
import { runJsonScript, runScript } from './child.js';
import { COLD_SCRIPTS } from './scenarios/cold-start.js';
import { median } from './stats.js';
import { LABELS, VARIANTS, type Variant } from './variants.js';
import { INFRA_QUESTION, INFRA_SCRIPT } from './workload.js';

const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
const [otherArg, roundsArg = '8', warmupArg = '100', runsArg = '150'] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
if (!otherArg) throw new Error('usage: node bench/dist/compare-builds.js OTHER_CHECKOUT [rounds] [warmup runs] [--sessions | --cold]');
const mode = flags.includes('--cold') ? 'cold' : flags.includes('--sessions') ? 'sessions' : 'runs';
const builds = [
  { name: 'this', bench: fileURLToPath(new URL('..', import.meta.url)) },
  { name: 'other', bench: join(resolve(otherArg), 'bench') },
];
for (const build of builds) {
  if (!existsSync(join(build.bench, 'dist', 'variant-process.js'))) {
    throw new Error(`${build.bench}/dist/variant-process.js is missing: build that checkout first (npx pnpm@10 run build).`);
  }
}
const otherVariants = ((await import(pathToFileURL(join(builds[1]!.bench, 'dist', 'variants.js')).href)) as { VARIANTS: readonly string[] })
  .VARIANTS;
const rounds = Number(roundsArg);
/** A build's bench/dist/, as the URL `runScript` takes. */
const distOf = (bench: string) => pathToFileURL(join(bench, 'dist') + '/');

/** What one process of a variant measures, by figure name. */
type Measure = (bench: string, variant: Variant) => Promise<Record<string, number>>;

const coldScript = (variant: Variant): string[] | undefined => (COLD_SCRIPTS as Partial<Record<Variant, string[]>>)[variant];

const server = await startLocalBedrock({ script: INFRA_SCRIPT, recordRequests: false });
const slow = mode === 'sessions' ? await startLocalBedrock({ script: INFRA_SCRIPT, latencyMs: 50, recordRequests: false }) : undefined;
const measures: Record<typeof mode, Measure> = {
  runs: async (bench, variant) => {
    const job: SequentialJob = {
      kind: 'sequential',
      variant,
      workloads: [{ endpoint: server.endpoint, question: INFRA_QUESTION, modelCalls: 3, warmup: Number(warmupArg), runs: Number(runsArg) }],
    };
    const [result] = (await runJsonScript<WorkloadResult[]>('variant-process', job, undefined, distOf(bench))).value;
    if (!result) throw new Error(`${bench} ${variant}: no result`);
    return { 'median ms/step': median(result.msPerStep), 'CPU ms/run': result.cpuMs / result.msPerStep.length };
  },
  sessions: async (bench, variant) => {
    const job: ConcurrentJob = {
      kind: 'concurrent',
      variant,
      endpoint: slow?.endpoint ?? '',
      question: INFRA_QUESTION,
      modelCalls: 3,
      sessions: 1000,
      warmupSessions: 100,
    };
    const result = (await runJsonScript<ConcurrentResult>('variant-process', job, undefined, distOf(bench))).value;
    return { 'wall ms': result.wallMs, 'client CPU ms': result.cpuMs };
  },
  cold: async (bench, variant) => {
    const [name = '', ...args] = coldScript(variant) ?? [];
    // Spawn to the answer line, as scenario 4 times it.
    const started = performance.now();
    const { lines } = await runScript(name, [server.endpoint, ...args], undefined, distOf(bench));
    const answer = lines.find((line) => line.text.startsWith('{"answer"'));
    if (!answer) throw new Error(`${bench} ${variant}: no answer printed`);
    return { 'spawn to answer ms': answer.atMs - started };
  },
};
const variants = mode === 'cold' ? VARIANTS.filter((v) => coldScript(v)) : VARIANTS;

const samples = new Map<string, Record<string, number>[]>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      const order = round % 2 === 0 ? builds : [...builds].reverse();
      for (const build of order) {
        if (build.name === 'other' && !otherVariants.includes(variant)) continue;
        const key = `${build.name} ${variant}`;
        samples.set(key, [...(samples.get(key) ?? []), await measures[mode](build.bench, variant)]);
      }
    }
  }
} finally {
  await server.close();
  await slow?.close();
}

const figure = (build: string, variant: Variant, name: string): number | undefined => {
  const list = samples.get(`${build} ${variant}`);
  return list ? median(list.map((s) => s[name] ?? NaN)) : undefined;
};
const x = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : `${n.toFixed(2)}×`);
const what = {
  runs: `scenario 1, ${runsArg} runs after ${warmupArg} warm-up per process`,
  sessions: 'scenario 3, 1,000 concurrent sessions at 50 ms after 100 warm-up ones',
  cold: 'scenario 4, spawn to answer',
}[mode];
console.log(`${what}, ${rounds} rounds, medians of the rounds; "this" = ${builds[0]!.bench}, "other" = ${builds[1]!.bench}`);
const names =
  mode === 'runs' ? ['median ms/step', 'CPU ms/run'] : mode === 'sessions' ? ['wall ms', 'client CPU ms'] : ['spawn to answer ms'];
const rows: string[][] = [];
for (const build of ['other', 'this']) {
  for (const variant of variants) {
    const values = names.map((name) => figure(build, variant, name));
    if (values[0] === undefined) continue;
    const ratios: string[] = [];
    if (mode === 'runs') {
      const sameTransport =
        variant === 'novaloop-stream' ? 'raw-pooled-stream' : variant === 'novaloop-converse' ? 'raw-pooled' : undefined;
      ratios.push(x((values[0] ?? NaN) / (figure(build, 'raw-default', names[0]!) ?? NaN)));
      ratios.push(x(sameTransport && (values[1] ?? NaN) / (figure(build, sameTransport, names[1]!) ?? NaN)));
    } else if (mode === 'sessions') {
      ratios.push(x((values[0] ?? NaN) / (figure(build, 'raw-pooled', names[0]!) ?? NaN)));
    } else {
      ratios.push(x((values[0] ?? NaN) / (figure(build, 'raw-default', names[0]!) ?? NaN)));
    }
    rows.push([build, LABELS[variant], ...values.map((v) => (v ?? NaN).toFixed(2)), ...ratios]);
  }
}
const ratioHeads =
  mode === 'runs'
    ? ['ms/step vs raw-default', 'CPU vs raw, same transport']
    : mode === 'sessions'
      ? ['wall vs raw-pooled']
      : ['vs raw-default'];
const head = ['build', 'variant', ...names, ...ratioHeads];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const row of [head, widths.map((w) => '-'.repeat(w)), ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
