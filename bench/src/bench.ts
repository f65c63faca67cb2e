// Every scenario of the benchmark, in one run. bedrock-local runs here, in the parent process; each
// variant runs in child processes of its own (see child.ts), one at a time, so the server has a core
// to itself and a variant's CPU and memory figures are its own.
import { startLocalBedrock, type LocalBedrock } from '@novaloop/bedrock-local';
import { performance } from 'node:perf_hooks';
import {
  renderColdStart,
  renderConcurrency,
  renderBatchThroughput,
  renderClassify,
  renderCost,
  renderInfraRun,
  renderLongRuns,
  renderServerOverhead,
  renderSessionStores,
  renderTargets,
  renderWire,
} from './render.js';
import { coldStart, moduleLoad, type ColdStartFigures, type ModuleLoadFigures } from './scenarios/cold-start.js';
import { concurrency, type ConcurrencyCase, type ConcurrencyFigures } from './scenarios/concurrency.js';
import { cost, type CostFigures } from './scenarios/cost.js';
import { batchThroughput, type BatchThroughputCounts, type BatchThroughputFigures } from './scenarios/batch-throughput.js';
import { classifyOverhead, type ClassifyFigures } from './scenarios/classify-overhead.js';
import { warmRuns, type WarmRunFigures } from './scenarios/warm-runs.js';
import { wire, type WireFigures } from './scenarios/wire.js';
import { longRunResponder } from './long-run-responder.js';
import { serverOverhead, type OverheadFigures } from './server-overhead.js';
import { sessionStores, type StoreFigures } from './session-stores.js';
import { checkTargets, type TargetResult } from './targets.js';
import { VARIANTS } from './variants.js';
import { INFRA_MODEL_CALLS, INFRA_QUESTION, INFRA_SCRIPT, longRunQuestion } from './workload.js';

export interface BenchCounts {
  serverOverhead: { requests: number; warmup: number };
  /** Scenarios 1 and 2: fresh processes per variant, order rotated each round, samples pooled. */
  rounds: number;
  infraRun: { warmup: number; runs: number };
  /** Scenario 2; the first and last lengths are the ones the target compares. */
  longRuns: Array<{ modelCalls: number; warmup: number; runs: number }>;
  concurrency: { sessions: number; warmupSessions: number; latencyMs: number; rounds: number };
  coldStartRepetitions: number;
  /** Scenario 5's second conversation. */
  wireLongRunCalls: number;
  /** Scenario 6: timed appends to one session, then timed loads of it, after untimed warm-up. */
  sessionStores: { appends: number; loads: number; warmup: number };
  /** Scenario 8: processes per variant (alternating order), and untimed then timed calls in each. */
  classify: { rounds: number; warmup: number; calls: number };
  /** Scenario 9: @novaloop/batch online against Promise.all at fixed concurrencies, with throttling. */
  batchThroughput: BatchThroughputCounts;
}

export const FULL: BenchCounts = {
  serverOverhead: { requests: 3000, warmup: 300 },
  // Many short rounds rather than a few long ones: the SDK's serializer, which dominates long runs,
  // is as much as 30% faster or slower from one process to the next, so processes are the samples.
  rounds: 8,
  infraRun: { warmup: 100, runs: 150 },
  // Each length starts a new client or agent, whose warm-up makes about 200 model calls first.
  longRuns: [
    { modelCalls: 10, warmup: 20, runs: 20 },
    { modelCalls: 50, warmup: 4, runs: 5 },
    { modelCalls: 200, warmup: 1, runs: 2 },
  ],
  concurrency: { sessions: 1000, warmupSessions: 100, latencyMs: 50, rounds: 3 },
  coldStartRepetitions: 15,
  wireLongRunCalls: 10,
  sessionStores: { appends: 200, loads: 100, warmup: 20 },
  classify: { rounds: 8, warmup: 300, calls: 1000 },
  batchThroughput: { records: 3000, rounds: 3, latencyMs: 50, throttleEvery: 10, fixed: [16, 32, 64, 128], onlineCap: 128 },
};

/** A smoke run: every scenario and figure, on counts small enough for under two minutes on a busy 2-core machine. */
export const QUICK: BenchCounts = {
  serverOverhead: { requests: 300, warmup: 50 },
  rounds: 1,
  infraRun: { warmup: 70, runs: 150 },
  longRuns: [
    { modelCalls: 10, warmup: 10, runs: 15 },
    { modelCalls: 50, warmup: 2, runs: 4 },
    { modelCalls: 200, warmup: 0, runs: 1 },
  ],
  concurrency: { sessions: 500, warmupSessions: 50, latencyMs: 50, rounds: 1 },
  coldStartRepetitions: 3,
  wireLongRunCalls: 10,
  sessionStores: { appends: 50, loads: 20, warmup: 5 },
  classify: { rounds: 2, warmup: 100, calls: 300 },
  batchThroughput: { records: 1000, rounds: 1, latencyMs: 50, throttleEvery: 10, fixed: [16, 64, 128], onlineCap: 128 },
};

/**
 * Scenario 3's cases: every variant at its defaults, and novaloop with a socket for every session,
 * which tells how much its default pool of 256 sockets queues at this concurrency.
 */
const CONCURRENCY_CASES: ConcurrencyCase[] = [
  { variant: 'raw-default' },
  { variant: 'raw-pooled' },
  { variant: 'raw-pooled-stream' },
  { variant: 'novaloop-converse' },
  { variant: 'novaloop-stream' },
  { variant: 'novaloop-stream', label: 'novaloop (streaming), maxSockets 1000', maxSockets: 1000 },
  { variant: 'lean-converse' },
  { variant: 'lean-stream' },
];

export interface BenchFigures {
  counts: BenchCounts;
  serverOverhead: OverheadFigures[];
  infraRun: WarmRunFigures[];
  longRuns: Array<{ modelCalls: number; figures: WarmRunFigures[] }>;
  concurrency: ConcurrencyFigures[];
  coldStart: ColdStartFigures[];
  moduleLoad: ModuleLoadFigures;
  wire: WireFigures[];
  sessionStores: StoreFigures[];
  /** Stores that could not run here, with the reason (redis-server not installed). */
  skippedStores: Array<{ store: string; reason: string }>;
  cost: CostFigures;
  classify: ClassifyFigures[];
  batchThroughput: BatchThroughputFigures[];
  targets: TargetResult[];
}

export async function runBench(counts: BenchCounts, out: (text: string) => void = console.log): Promise<BenchFigures> {
  let sectionStarted = performance.now();
  const section = (title: string, body: string) => {
    const now = performance.now();
    out(`\n${title} [${((now - sectionStarted) / 1000).toFixed(0)} s]\n${body}`);
    sectionStarted = now;
  };
  const servers: LocalBedrock[] = [];
  const start = async (options: Parameters<typeof startLocalBedrock>[0]) => {
    const server = await startLocalBedrock(options);
    servers.push(server);
    return server;
  };
  try {
    const overhead = await serverOverhead(counts.serverOverhead);
    section(
      '0. bedrock-local per-request cost (raw SDK and fetch in this process, 0 ms model latency, sequential)',
      renderServerOverhead(overhead),
    );

    const infra = await start({ script: INFRA_SCRIPT, recordRequests: false });
    const longRunServer = await start({ responder: longRunResponder, recordRequests: false });
    const [infraRun = [], ...longRunFigures] = await warmRuns({
      variants: VARIANTS,
      workloads: [
        { endpoint: infra.endpoint, question: INFRA_QUESTION, modelCalls: INFRA_MODEL_CALLS, ...counts.infraRun },
        ...counts.longRuns.map((length) => ({ endpoint: longRunServer.endpoint, question: longRunQuestion(length.modelCalls), ...length })),
      ],
      rounds: counts.rounds,
    });
    const longRuns = counts.longRuns.map((length, i) => ({ modelCalls: length.modelCalls, figures: longRunFigures[i] ?? [] }));
    section(
      `1. infra-assistant run: ${INFRA_MODEL_CALLS} model calls, 2 tool calls, 0 ms model latency; ${counts.rounds} round(s) × ` +
        `${counts.infraRun.runs} runs after ${counts.infraRun.warmup} warm-up, a process per variant and round`,
      renderInfraRun(infraRun),
    );
    section(
      `2. long runs: ${counts.longRuns.map((l) => `${l.modelCalls} steps × ${l.runs} runs`).join(', ')} per round, ${counts.rounds} round(s), ` +
        "in scenario 1's processes, after it; a step is a model call and its tool call; ms/step is run time ÷ steps",
      renderLongRuns(longRuns),
    );

    const latency = await start({ script: INFRA_SCRIPT, latencyMs: counts.concurrency.latencyMs, recordRequests: false });
    const concurrent = await concurrency({ cases: CONCURRENCY_CASES, endpoint: latency.endpoint, ...counts.concurrency });
    section(
      `3. ${counts.concurrency.sessions} concurrent infra-assistant sessions, ${counts.concurrency.latencyMs} ms model latency; ` +
        `ideal = ${INFRA_MODEL_CALLS} calls × ${counts.concurrency.latencyMs} ms; median of ${counts.concurrency.rounds} round(s)`,
      renderConcurrency(concurrent),
    );

    const cold = await coldStart(infra.endpoint, counts.coldStartRepetitions);
    const modules = await moduleLoad(counts.coldStartRepetitions);
    section(
      '4. cold start: `node` on the built dist/, from spawning a one-run script to its answer on stdout; "at" columns are from the process\'s own start',
      renderColdStart(cold, modules),
    );

    const wireServers = {
      infra: await start({ script: INFRA_SCRIPT }),
      longRun: await start({ responder: longRunResponder }),
    };
    const wireFigures = await wire(VARIANTS, wireServers, counts.wireLongRunCalls);
    section("5. bytes and tokens per model call, from bedrock-local's request log", renderWire(wireFigures));

    const skippedStores: BenchFigures['skippedStores'] = [];
    const stores = await sessionStores({ ...counts.sessionStores, onSkip: (store, reason) => skippedStores.push({ store, reason }) });
    section(
      `6. session stores: ${counts.sessionStores.appends} appends of a ~1.3 KB step to one session, then ` +
        `${counts.sessionStores.loads} loads of it, sequential, in this process`,
      renderSessionStores(stores, skippedStores),
    );

    const costFigures = await cost();
    section(
      `7. cost: ${costFigures.workload.requestsPerDay} requests/day × ${costFigures.workload.days} days, ` +
        `${costFigures.workload.modelCallsPerRequest} model calls each, Nova Pro list prices ` +
        `($${costFigures.price.inputPer1M}/M in, $${costFigures.price.outputPer1M}/M out, ` +
        `$${costFigures.price.cacheReadPer1M}/M cache read, $${costFigures.price.cacheWritePer1M}/M cache write), ` +
        `a ${costFigures.systemPromptChars}-character system prompt`,
      renderCost(costFigures),
    );

    const classify = await classifyOverhead(counts.classify);
    section(
      `8. classify() client CPU against a raw SDK Converse call with the same body on the same client, 0 ms model latency; ` +
        `${counts.classify.rounds} process(es) per variant × ${counts.classify.calls} sequential calls after ${counts.classify.warmup} warm-up`,
      renderClassify(classify),
    );

    const batchFigures = await batchThroughput(counts.batchThroughput);
    section(batchThroughputTitle(counts.batchThroughput), renderBatchThroughput(batchFigures));

    const targets = checkTargets({ infraRun, longRuns, concurrency: concurrent, coldStart: cold, wire: wireFigures, classify });
    section('targets', renderTargets(targets));

    return {
      counts,
      serverOverhead: overhead,
      infraRun,
      longRuns,
      concurrency: concurrent,
      coldStart: cold,
      moduleLoad: modules,
      wire: wireFigures,
      sessionStores: stores,
      skippedStores,
      cost: costFigures,
      classify,
      batchThroughput: batchFigures,
      targets,
    };
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
}

export const batchThroughputTitle = (c: BatchThroughputCounts): string =>
  `9. @novaloop/batch online vs Promise.all at fixed concurrency over raw-SDK Converse: ${c.records} classify records, ` +
  `${c.latencyMs} ms model latency, every ${c.throttleEvery}th request throttled (429); median of ${c.rounds} round(s), a process per variant and round`;
