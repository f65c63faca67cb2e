// Scenario 7: the seed workload's monthly bill, from the tokens bedrock-local charged for one run of
// the infrastructure assistant with a production-sized system prompt (see sre-system-prompt.ts).
// bedrock-local's tokenizer is not Nova's, so the dollars are an estimate; the ratios between the
// lines are what the scenario shows, since every line is counted the same way.
import { startLocalBedrock, type LocalBedrock, type TokenUsage } from '@novaloop/bedrock-local';
import type { SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { infraAgent } from '../novaloop-agent.js';
import { rawDefaultClient } from '../raw-clients.js';
import { rawToolLoop } from '../raw-loop.js';
import { SRE_SYSTEM_PROMPT } from '../sre-system-prompt.js';
import { INFRA_MODEL_CALLS, INFRA_QUESTION, INFRA_SCRIPT } from '../workload.js';

/** Nova Pro on-demand list prices in us-east-1, USD per 1M tokens. Cache reads are 75% off; writes cost input price. */
export const NOVA_PRO_PRICE = { inputPer1M: 0.8, outputPer1M: 3.2, cacheReadPer1M: 0.2, cacheWritePer1M: 0.8 };

/** The seed workload: 1,000 multi-step requests a day for 30 days, each one run of 3 model calls. */
export const WORKLOAD = { requestsPerDay: 1_000, days: 30, modelCallsPerRequest: INFRA_MODEL_CALLS };
const RUNS_PER_MONTH = WORKLOAD.requestsPerDay * WORKLOAD.days;

/** Bedrock Agents' orchestration prompt, added to every model call (the issue's estimate). */
export const AGENTS_TOKENS_PER_CALL = 4_000;

export interface RunTokens {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

export interface CostLine {
  line: string;
  /** Tokens of one run (3 model calls). */
  perRun: RunTokens;
  usdPerRun: number;
  usdPerMonth: number;
  vsRawDirect: number;
  note: string;
}

export interface CostFigures {
  workload: typeof WORKLOAD;
  price: typeof NOVA_PRO_PRICE;
  systemPromptChars: number;
  lines: CostLine[];
  /** novaloop's own `result.costUsd` for its direct run, as a cross-check of the pricing here. */
  novaloopReportedUsdPerRun: number | undefined;
  routing: string;
}

export async function cost(): Promise<CostFigures> {
  const system: SystemContentBlock[] = [{ text: SRE_SYSTEM_PROMPT }];
  const cached: SystemContentBlock[] = [{ text: SRE_SYSTEM_PROMPT }, { cachePoint: { type: 'default' } }];

  const [raw = noTokens()] = await tokensPerRun(1, async (endpoint) => {
    const client = rawDefaultClient(endpoint);
    try {
      await rawToolLoop(client, INFRA_QUESTION, { system, maxSteps: 10, stream: false });
    } finally {
      client.destroy();
    }
  });
  let reported: number | undefined;
  const [direct = noTokens()] = await tokensPerRun(1, async (endpoint) => {
    reported = (await runAgent(endpoint, SRE_SYSTEM_PROMPT)).costUsd;
  });
  // A fresh server has an empty cache: the first run writes the checkpoint, the second reads it.
  const [coldCached = noTokens(), warmCached = noTokens()] = await tokensPerRun(2, (endpoint) => runAgent(endpoint, cached));
  const agents: RunTokens = { ...direct, inputTokens: direct.inputTokens + AGENTS_TOKENS_PER_CALL * WORKLOAD.modelCallsPerRequest };

  const rawUsd = usd(raw);
  const line = (name: string, perRun: RunTokens, usdPerMonth: number, note: string): CostLine => ({
    line: name,
    perRun,
    usdPerRun: usd(perRun),
    usdPerMonth,
    vsRawDirect: usdPerMonth / (rawUsd * RUNS_PER_MONTH),
    note,
  });
  return {
    workload: WORKLOAD,
    price: NOVA_PRO_PRICE,
    systemPromptChars: SRE_SYSTEM_PROMPT.length,
    lines: [
      line('raw-default, direct', raw, rawUsd * RUNS_PER_MONTH, 'the hand-written loop'),
      line('novaloop, direct', direct, usd(direct) * RUNS_PER_MONTH, 'no cachePoint'),
      line(
        'novaloop + prompt caching (warm)',
        warmCached,
        usd(coldCached) + usd(warmCached) * (RUNS_PER_MONTH - 1),
        'system + tools cached; one write, then requests < 5 min apart',
      ),
      line(
        'novaloop + prompt caching (cold each request)',
        coldCached,
        usd(coldCached) * RUNS_PER_MONTH,
        'the cache expires between requests',
      ),
      line('Bedrock Agents (estimate)', agents, usd(agents) * RUNS_PER_MONTH, `+${AGENTS_TOKENS_PER_CALL} input tokens per call`),
    ],
    novaloopReportedUsdPerRun: reported,
    routing: 'not available yet (needs routing)',
  };
}

const runAgent = async (endpoint: string, system: string | SystemContentBlock[]) => {
  const agent = infraAgent({ endpoint, stream: true, system, maxSteps: 10 });
  try {
    const result = await agent.run(INFRA_QUESTION);
    if (result.steps.length !== INFRA_MODEL_CALLS) throw new Error(`cost: novaloop made ${result.steps.length} model calls`);
    return result;
  } finally {
    agent.close();
  }
};

/** Runs `work` `runs` times on one fresh server and returns the tokens bedrock-local charged each time. */
async function tokensPerRun(runs: number, work: (endpoint: string) => Promise<unknown>): Promise<RunTokens[]> {
  const server: LocalBedrock = await startLocalBedrock({ script: INFRA_SCRIPT });
  try {
    const perRun: RunTokens[] = [];
    for (let i = 0; i < runs; i++) {
      const from = server.requests.length;
      await work(server.endpoint);
      perRun.push(total(server.requests.slice(from).map((r) => r.usage)));
    }
    return perRun;
  } finally {
    await server.close();
  }
}

const noTokens = (): RunTokens => ({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });

function total(usages: Array<TokenUsage | undefined>): RunTokens {
  const sum = noTokens();
  for (const usage of usages) {
    sum.inputTokens += usage?.inputTokens ?? 0;
    sum.outputTokens += usage?.outputTokens ?? 0;
    sum.cacheReadInputTokens += usage?.cacheReadInputTokens ?? 0;
    sum.cacheWriteInputTokens += usage?.cacheWriteInputTokens ?? 0;
  }
  return sum;
}

const usd = (t: RunTokens): number =>
  (t.inputTokens * NOVA_PRO_PRICE.inputPer1M +
    t.outputTokens * NOVA_PRO_PRICE.outputPer1M +
    t.cacheReadInputTokens * NOVA_PRO_PRICE.cacheReadPer1M +
    t.cacheWriteInputTokens * NOVA_PRO_PRICE.cacheWritePer1M) /
  1_000_000;
