// `node bench/dist/compare-builds.js OTHER [rounds] [warmup runs]`: scenario 1 measured on two builds in one run,
// for a before-and-after on the same machine at the same time. OTHER is another checkout of novaloop
// (a `git worktree` of an older commit, say) with its packages and bench built. Each round starts a
// fresh process per variant and build, alternating between the two builds, against one bedrock-local;
// each process does scenario 1's job (100 warm-up runs, then 150 measured; `warmup runs` changes
// that, e.g. `1000 1000` for the steady state after the JIT compiler is done). A variant the other build
// does not have (the lean transport before it existed) is measured on this build only.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startLocalBedrock } from '@novaloop/bedrock-local';
import type { SequentialJob, WorkloadResult } from './jobs.js';
import { median } from './stats.js';
import { LABELS, VARIANTS, type Variant } from './variants.js';
import { INFRA_QUESTION, INFRA_SCRIPT } from './workload.js';

const [otherArg, roundsArg = '8', warmupArg = '100', runsArg = '150'] = process.argv.slice(2);
if (!otherArg) throw new Error('usage: node bench/dist/compare-builds.js OTHER_CHECKOUT [rounds]');
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

const server = await startLocalBedrock({ script: INFRA_SCRIPT, recordRequests: false });
type Sample = { cpuMsPerRun: number; medianMsPerStep: number };
const samples = new Map<string, Sample[]>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const variant of VARIANTS) {
      // Alternate which build goes first, so neither always runs on a warmer machine.
      const order = round % 2 === 0 ? builds : [...builds].reverse();
      for (const build of order) {
        if (build.name === 'other' && !otherVariants.includes(variant)) continue;
        const job: SequentialJob = {
          kind: 'sequential',
          variant,
          workloads: [
            { endpoint: server.endpoint, question: INFRA_QUESTION, modelCalls: 3, warmup: Number(warmupArg), runs: Number(runsArg) },
          ],
        };
        // Asynchronously: bedrock-local answers from this process.
        const child = await promisify(execFile)(process.execPath, [join(build.bench, 'dist', 'variant-process.js'), JSON.stringify(job)], {
          cwd: build.bench,
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
          env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        });
        const [result] = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as WorkloadResult[];
        if (!result) throw new Error(`${build.name} ${variant}: no result`);
        const key = `${build.name} ${variant}`;
        samples.set(key, [
          ...(samples.get(key) ?? []),
          { cpuMsPerRun: result.cpuMs / result.msPerStep.length, medianMsPerStep: median(result.msPerStep) },
        ]);
      }
    }
  }
} finally {
  await server.close();
}

const figure = (build: string, variant: Variant) => {
  const list = samples.get(`${build} ${variant}`);
  return list ? { cpu: median(list.map((s) => s.cpuMsPerRun)), ms: median(list.map((s) => s.medianMsPerStep)) } : undefined;
};
const x = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : `${n.toFixed(2)}×`);
console.log(
  `scenario 1 on two builds, ${rounds} rounds, medians of the rounds; "this" = ${builds[0]!.bench}, "other" = ${builds[1]!.bench}`,
);
const rows: string[][] = [];
for (const build of ['other', 'this']) {
  const rawDefault = figure(build, 'raw-default');
  const rawPooled = figure(build, 'raw-pooled');
  const rawStream = figure(build, 'raw-pooled-stream');
  for (const variant of VARIANTS) {
    const f = figure(build, variant);
    if (!f) continue;
    const sameTransport = variant === 'novaloop-stream' ? rawStream : variant === 'novaloop-converse' ? rawPooled : undefined;
    rows.push([
      build,
      LABELS[variant],
      f.ms.toFixed(2),
      f.cpu.toFixed(2),
      x(rawDefault && f.ms / rawDefault.ms),
      x(sameTransport && f.cpu / sameTransport.cpu),
    ]);
  }
}
const head = ['build', 'variant', 'median ms/step', 'CPU ms/run', 'ms/step vs raw-default', 'CPU vs raw, same transport'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const row of [head, widths.map((w) => '-'.repeat(w)), ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
