// Scenarios 1 and 2: every variant runs the same conversations over and over in a process of its
// own, each after a warm-up; scenario 1's conversation comes first, so its peak RSS is its own. With
// several rounds, each round starts a fresh process per variant and rotates their order, so a noisy
// minute on the machine is spread over all of them; the rounds' samples are pooled.
import { runJsonScript } from '../child.js';
import type { SequentialJob, Workload, WorkloadResult } from '../jobs.js';
import { ascending, median, percentile, sum } from '../stats.js';
import type { Variant } from '../variants.js';

export interface WarmRunFigures {
  variant: Variant;
  runs: number;
  modelCalls: number;
  medianMsPerStep: number;
  p95MsPerStep: number;
  /** Each round's own median: how much the machine drifted between rounds. */
  roundMediansMsPerStep: number[];
  cpuMsPerRun: number;
  /** The largest of the rounds' processes, up to the end of this workload. */
  peakRssMb: number;
}

export interface WarmRunPlan {
  variants: readonly Variant[];
  /** Run in this order in each variant's process; `runs` is per round. */
  workloads: Workload[];
  rounds: number;
}

/** Figures per workload, in the plan's order, each with one entry per variant. */
export async function warmRuns(plan: WarmRunPlan): Promise<WarmRunFigures[][]> {
  const results = new Map<Variant, WorkloadResult[][]>(plan.variants.map((v) => [v, []]));
  for (let round = 0; round < plan.rounds; round++) {
    const shift = round % plan.variants.length;
    for (const variant of [...plan.variants.slice(shift), ...plan.variants.slice(0, shift)]) {
      const job: SequentialJob = { kind: 'sequential', variant, workloads: plan.workloads };
      const { value, stderr } = await runJsonScript<WorkloadResult[]>('variant-process', job);
      // Nothing is expected there; passed on so that nothing a child says is lost.
      if (stderr) process.stderr.write(stderr);
      results.get(variant)?.push(value);
    }
  }
  return plan.workloads.map((workload, w) =>
    plan.variants.map((variant) => {
      const rounds = (results.get(variant) ?? []).flatMap((round) => round[w] ?? []);
      const samples = ascending(rounds.flatMap((r) => r.msPerStep));
      return {
        variant,
        runs: samples.length,
        modelCalls: workload.modelCalls,
        medianMsPerStep: percentile(samples, 50),
        p95MsPerStep: percentile(samples, 95),
        roundMediansMsPerStep: rounds.map((r) => median(r.msPerStep)),
        cpuMsPerRun: sum(rounds.map((r) => r.cpuMs)) / samples.length,
        peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb)),
      };
    }),
  );
}
