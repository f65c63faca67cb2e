// Scenario 3: many sessions at once on a model with real latency. The ideal is a run's model calls
// times the latency: what the wall time would be if the client cost nothing and never queued.
import { runJsonScript, warningsIn } from '../child.js';
import { MEASURING, type ConcurrentJob, type ConcurrentResult } from '../jobs.js';
import { median } from '../stats.js';
import type { Variant } from '../variants.js';
import { INFRA_MODEL_CALLS, INFRA_QUESTION } from '../workload.js';

export interface ConcurrencyCase {
  variant: Variant;
  /** Shown instead of the variant's name, for a case with a non-default setting. */
  label?: string;
  maxSockets?: number;
}

export interface ConcurrencyFigures {
  variant: Variant;
  label: string | undefined;
  maxSockets: number | undefined;
  sessions: number;
  modelCalls: number;
  latencyMs: number;
  idealMs: number;
  /** The median over rounds. */
  wallMs: number;
  wallVsIdeal: number;
  /** The client process's CPU over the measured batch. */
  cpuMs: number;
  /** This process's CPU over the same batch: bedrock-local's share of the machine. */
  serverCpuMs: number;
  peakRssMb: number;
  /** What the client process warned about on stderr (e.g. the SDK's socket pool at capacity). */
  warnings: string[];
  rounds: Array<ConcurrentResult & { serverCpuMs: number }>;
}

export interface ConcurrencyPlan {
  cases: readonly ConcurrencyCase[];
  /** A bedrock-local playing the infrastructure script with `latencyMs` of model latency. */
  endpoint: string;
  latencyMs: number;
  sessions: number;
  warmupSessions: number;
  rounds: number;
}

export async function concurrency(plan: ConcurrencyPlan): Promise<ConcurrencyFigures[]> {
  const results = plan.cases.map(() => [] as Array<ConcurrentResult & { serverCpuMs: number }>);
  const warnings = plan.cases.map(() => new Set<string>());
  for (let round = 0; round < plan.rounds; round++) {
    for (const [i, c] of plan.cases.entries()) {
      const job: ConcurrentJob = {
        kind: 'concurrent',
        variant: c.variant,
        endpoint: plan.endpoint,
        question: INFRA_QUESTION,
        modelCalls: INFRA_MODEL_CALLS,
        sessions: plan.sessions,
        warmupSessions: plan.warmupSessions,
        ...(c.maxSockets !== undefined ? { maxSockets: c.maxSockets } : {}),
      };
      let serverCpu: NodeJS.CpuUsage | undefined;
      // A raw loop has no retry of its own: at 1,000 open connections on a loaded machine one reset
      // socket ends its whole process. That round is run again (said in the warnings) rather than
      // ending the bench; a variant that fails three times in a row still does.
      let outcome: { value: ConcurrentResult; stderr: string } | undefined;
      for (let attempt = 1; !outcome; attempt++) {
        try {
          outcome = await runJsonScript<ConcurrentResult>('variant-process', job, (line) => {
            if (line === MEASURING) serverCpu = process.cpuUsage();
          });
        } catch (error) {
          if (attempt >= 3) throw error;
          const first = String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
          warnings[i]?.add(`round ${round + 1} run again after its process failed (${first.slice(0, 120)})`);
        }
      }
      const { value, stderr } = outcome;
      const used = process.cpuUsage(serverCpu);
      results[i]?.push({ ...value, serverCpuMs: serverCpu ? (used.user + used.system) / 1000 : NaN });
      for (const warning of warningsIn(stderr)) warnings[i]?.add(warning);
    }
  }
  const idealMs = INFRA_MODEL_CALLS * plan.latencyMs;
  return plan.cases.map((c, i) => {
    const rounds = results[i] ?? [];
    const wallMs = median(rounds.map((r) => r.wallMs));
    return {
      variant: c.variant,
      label: c.label,
      maxSockets: c.maxSockets,
      sessions: plan.sessions,
      modelCalls: plan.sessions * INFRA_MODEL_CALLS,
      latencyMs: plan.latencyMs,
      idealMs,
      wallMs,
      wallVsIdeal: wallMs / idealMs,
      cpuMs: median(rounds.map((r) => r.cpuMs)),
      serverCpuMs: median(rounds.map((r) => r.serverCpuMs)),
      peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb)),
      warnings: [...(warnings[i] ?? [])],
      rounds,
    };
  });
}
