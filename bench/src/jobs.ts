// What a variant's process does: warm up, then measure. Time, CPU (process.cpuUsage, which counts
// only this process: bedrock-local runs in the parent) and peak RSS are taken inside the child.
import { performance } from 'node:perf_hooks';
import { openRunner, type Runner, type Variant } from './variants.js';
import { SYSTEM } from './workload.js';

/** One conversation, run `runs` times one after another after `warmup` unmeasured runs. */
export interface Workload {
  /** The bedrock-local that plays this conversation. */
  endpoint: string;
  question: string;
  /** Model calls every run must make; a run that makes another number fails the job. */
  modelCalls: number;
  warmup: number;
  runs: number;
}

/** Workloads in order, each on a runner of its own. */
export interface SequentialJob {
  kind: 'sequential';
  variant: Variant;
  workloads: Workload[];
}

/** `sessions` runs started at once, after a warm-up batch of `warmupSessions`. */
export interface ConcurrentJob {
  kind: 'concurrent';
  variant: Variant;
  endpoint: string;
  question: string;
  modelCalls: number;
  sessions: number;
  warmupSessions: number;
  maxSockets?: number;
}

export type Job = SequentialJob | ConcurrentJob;

export interface WorkloadResult {
  /** Wall time of each measured run divided by its model calls. */
  msPerStep: number[];
  cpuMs: number;
  /** The process's peak so far, so the first workload's figure is its own. */
  peakRssMb: number;
}

export interface ConcurrentResult {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
}

/** Printed by a concurrent job when the warm-up is over, so the parent can time the server's share. */
export const MEASURING = 'measuring';

export async function runJob(job: Job, signal: (line: string) => void = () => {}): Promise<WorkloadResult[] | ConcurrentResult> {
  if (job.kind === 'concurrent') return concurrent(job, signal);
  const results: WorkloadResult[] = [];
  for (const workload of job.workloads) results.push(await sequential(job, workload));
  return results;
}

// A spare step, so novaloop never reaches its last-step prompt and sends what the raw loop sends.
const maxStepsFor = (modelCalls: number) => modelCalls + 1;

async function sequential(job: SequentialJob, workload: Workload): Promise<WorkloadResult> {
  const runner = await openRunner(job.variant, { endpoint: workload.endpoint, system: SYSTEM, maxSteps: maxStepsFor(workload.modelCalls) });
  try {
    for (let i = 0; i < workload.warmup; i++) await checkedRun(runner, job.variant, workload);
    const msPerStep: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < workload.runs; i++) {
      const started = performance.now();
      await checkedRun(runner, job.variant, workload);
      msPerStep.push((performance.now() - started) / workload.modelCalls);
    }
    return { msPerStep, cpuMs: cpuMs(process.cpuUsage(cpu)), peakRssMb: peakRssMb() };
  } finally {
    runner.close();
  }
}

async function concurrent(job: ConcurrentJob, signal: (line: string) => void): Promise<ConcurrentResult> {
  const runner = await openRunner(job.variant, {
    endpoint: job.endpoint,
    system: SYSTEM,
    maxSteps: maxStepsFor(job.modelCalls),
    ...(job.maxSockets !== undefined ? { maxSockets: job.maxSockets } : {}),
  });
  try {
    const batch = (size: number) => Promise.all(Array.from({ length: size }, () => checkedRun(runner, job.variant, job)));
    await batch(job.warmupSessions);
    signal(MEASURING);
    const cpu = process.cpuUsage();
    const started = performance.now();
    await batch(job.sessions);
    const wallMs = performance.now() - started;
    return { wallMs, cpuMs: cpuMs(process.cpuUsage(cpu)), peakRssMb: peakRssMb() };
  } finally {
    runner.close();
  }
}

async function checkedRun(runner: Runner, variant: Variant, work: { question: string; modelCalls: number }): Promise<void> {
  const answer = await runner.run(work.question);
  if (answer.modelCalls !== work.modelCalls || !answer.text) {
    throw new Error(`${variant}: ${answer.modelCalls} model calls (expected ${work.modelCalls}), answer ${JSON.stringify(answer.text)}`);
  }
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
// maxRSS is in kilobytes and is the peak over the process's life: module loading and warm-up included.
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;
