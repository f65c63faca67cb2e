// Scenario 7: the seed workload's monthly bill, from the tokens bedrock-local charged for one run of
// the infrastructure assistant with a production-sized system prompt (see sre-system-prompt.ts).
// The cascade lines route 70% of requests (simple ones) to Nova Micro: bedrock-local's keyword rules
// play the classifier, and each request's tokens are priced at the list price of the model that served it.
// bedrock-local's tokenizer is not Nova's, so the dollars are an estimate; the ratios between the
// lines are what the scenario shows, since every line is counted the same way.
import { startLocalBedrock, type LocalBedrock, type Script, type TokenUsage } from '@novaloop/bedrock-local';
import type { SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { baseModelId, cascade, type PromptCacheMode } from '@novaloop/core';
import { readFileSync } from 'node:fs';
import { infraAgent } from '../novaloop-agent.js';
import { rawDefaultClient } from '../raw-clients.js';
import { rawToolLoop } from '../raw-loop.js';
import { SRE_SYSTEM_PROMPT } from '../sre-system-prompt.js';
import { INFRA_MODEL_CALLS, INFRA_QUESTION, INFRA_SCRIPT, MODEL } from '../workload.js';

/** Nova Pro on-demand list prices in us-east-1, USD per 1M tokens. Cache reads are 75% off; writes cost input price. */
export const NOVA_PRO_PRICE = { inputPer1M: 0.8, outputPer1M: 3.2, cacheReadPer1M: 0.2, cacheWritePer1M: 0.8 };
/** Nova Micro's, for the cascade's simple route and its classifier. */
export const NOVA_MICRO_PRICE = { inputPer1M: 0.035, outputPer1M: 0.14, cacheReadPer1M: 0.00875, cacheWritePer1M: 0.035 };
type Price = typeof NOVA_PRO_PRICE;
const PRICES: Record<string, Price> = { 'amazon.nova-pro-v1:0': NOVA_PRO_PRICE, 'amazon.nova-micro-v1:0': NOVA_MICRO_PRICE };

const MICRO = 'us.amazon.nova-micro-v1:0';
/** The share of the workload's requests the classifier routes to Micro (the figure for support queries). */
export const SIMPLE_SHARE = 0.7;
/** A complex request: the same conversation, with words the script's classifier rule sends to Pro. */
const COMPLEX_QUESTION = `${INFRA_QUESTION} Find the root cause.`;
/** The target for the seed workload's bill. */
export const TARGET_USD_PER_MONTH = 40;

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
  /** The cheapest line against TARGET_USD_PER_MONTH. */
  target: string;
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
  const [coldAuto = noCost(), warmAuto = noCost()] = await costPerRun(2, (endpoint) => runAgent(endpoint, SRE_SYSTEM_PROMPT, 'auto'));
  // Simple and complex in turn on one server: the first of each is cold, the second warm.
  // Without caching every run costs the same: one simple and one complex run.
  const [simple = noCost(), complex = noCost()] = await costPerRun(2, (endpoint, i) =>
    runCascade(endpoint, i % 2 === 0 ? INFRA_QUESTION : COMPLEX_QUESTION, 'off'),
  );
  const [coldSimpleAuto = noCost(), coldComplexAuto = noCost(), simpleAuto = noCost(), complexAuto = noCost()] = await costPerRun(
    4,
    (endpoint, i) => runCascade(endpoint, i % 2 === 0 ? INFRA_QUESTION : COMPLEX_QUESTION, 'auto'),
  );
  const mix = (a: PricedRun, b: PricedRun): PricedRun => ({
    tokens: mixTokens(a.tokens, b.tokens),
    usd: a.usd * SIMPLE_SHARE + b.usd * (1 - SIMPLE_SHARE),
  });
  const cascadeRun = mix(simple, complex);
  const cascadeAutoRun = mix(simpleAuto, complexAuto);
  const warmMonth = (cold: PricedRun, warm: PricedRun) => cold.usd + warm.usd * (RUNS_PER_MONTH - 1);

  const rawUsd = usd(raw);
  const line = (name: string, perRun: RunTokens, usdPerMonth: number, note: string, usdPerRun = usd(perRun)): CostLine => ({
    line: name,
    perRun,
    usdPerRun,
    usdPerMonth,
    vsRawDirect: usdPerMonth / (rawUsd * RUNS_PER_MONTH),
    note,
  });
  const lines = [
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
    line(
      "novaloop + promptCache: 'auto' (warm)",
      warmAuto.tokens,
      warmMonth(coldAuto, warmAuto),
      'system checkpoint + moving checkpoints: steps 2-3 read what the step before wrote',
    ),
    line(
      'novaloop + cascade (Micro classifies; 70% on Micro)',
      cascadeRun.tokens,
      cascadeRun.usd * RUNS_PER_MONTH,
      `tokens and $ of ${SIMPLE_SHARE * 100}% simple (Micro) + ${100 - SIMPLE_SHARE * 100}% complex (Pro) runs, classifier included`,
      cascadeRun.usd,
    ),
    line(
      "novaloop + cascade + promptCache: 'auto' (warm)",
      cascadeAutoRun.tokens,
      warmMonth(mix(coldSimpleAuto, coldComplexAuto), cascadeAutoRun),
      'the cascade, each route caching its prefix',
      cascadeAutoRun.usd,
    ),
    line('Bedrock Agents (estimate)', agents, usd(agents) * RUNS_PER_MONTH, `+${AGENTS_TOKENS_PER_CALL} input tokens per call`),
  ];
  const cheapest = lines.reduce((best, l) => (l.usdPerMonth < best.usdPerMonth ? l : best));
  const verdict = cheapest.usdPerMonth < TARGET_USD_PER_MONTH ? 'met' : 'missed';
  return {
    workload: WORKLOAD,
    price: NOVA_PRO_PRICE,
    systemPromptChars: SRE_SYSTEM_PROMPT.length,
    lines,
    novaloopReportedUsdPerRun: reported,
    target: `seed workload under $${TARGET_USD_PER_MONTH}/month: ${verdict} by "${cheapest.line}" at $${cheapest.usdPerMonth.toFixed(2)}/month`,
  };
}

const runAgent = async (endpoint: string, system: string | SystemContentBlock[], promptCache: PromptCacheMode = 'off') => {
  const agent = infraAgent({ endpoint, stream: true, system, maxSteps: 10, promptCache });
  try {
    const result = await agent.run(INFRA_QUESTION);
    if (result.steps.length !== INFRA_MODEL_CALLS) throw new Error(`cost: novaloop made ${result.steps.length} model calls`);
    return result;
  } finally {
    agent.close();
  }
};

/** The infrastructure assistant on a Micro/Pro cascade whose classifier is Micro. */
const runCascade = async (endpoint: string, question: string, promptCache: PromptCacheMode) => {
  const model = cascade({ classifier: MICRO, routes: { simple: MICRO, complex: MODEL }, fallback: 'complex' });
  const agent = infraAgent({ endpoint, stream: true, system: SRE_SYSTEM_PROMPT, maxSteps: 10, promptCache, model });
  try {
    const result = await agent.run(question);
    const expected = question === INFRA_QUESTION ? MICRO : MODEL;
    if (result.route?.modelId !== expected) throw new Error(`cost: the cascade routed to ${result.route?.modelId}, not ${expected}`);
    if (result.steps.length !== INFRA_MODEL_CALLS) throw new Error(`cost: novaloop made ${result.steps.length} model calls`);
    return result;
  } finally {
    agent.close();
  }
};

/** The infra script, with keyword rules for the cascade's classifier: "root cause" questions are complex. */
const CASCADE_SCRIPT: Script = {
  ...(JSON.parse(readFileSync(INFRA_SCRIPT, 'utf8')) as Script),
  classify: [
    { tool: 'route', match: 'root cause', label: 'complex' },
    { tool: 'route', label: 'simple' },
  ],
};

interface PricedRun {
  tokens: RunTokens;
  usd: number;
}

const noCost = (): PricedRun => ({ tokens: noTokens(), usd: 0 });

/** Like `tokensPerRun`, with each request priced at its own model's list price. */
async function costPerRun(runs: number, work: (endpoint: string, i: number) => Promise<unknown>): Promise<PricedRun[]> {
  const server: LocalBedrock = await startLocalBedrock({ script: CASCADE_SCRIPT });
  try {
    const perRun: PricedRun[] = [];
    for (let i = 0; i < runs; i++) {
      const from = server.requests.length;
      await work(server.endpoint, i);
      const requests = server.requests.slice(from);
      perRun.push({
        tokens: total(requests.map((r) => r.usage)),
        usd: requests.reduce((sum, r) => sum + usd(total([r.usage]), priceOf(r.modelId)), 0),
      });
    }
    return perRun;
  } finally {
    await server.close();
  }
}

function priceOf(modelId: string | undefined): Price {
  const price = modelId === undefined ? undefined : PRICES[baseModelId(modelId)];
  if (!price) throw new Error(`cost: no list price for ${modelId}`);
  return price;
}

/** Tokens of the workload's mix of simple and complex runs, rounded to whole tokens. */
function mixTokens(simple: RunTokens, complex: RunTokens): RunTokens {
  const out = noTokens();
  for (const key of Object.keys(out) as (keyof RunTokens)[])
    out[key] = Math.round(simple[key] * SIMPLE_SHARE + complex[key] * (1 - SIMPLE_SHARE));
  return out;
}

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

const usd = (t: RunTokens, price: Price = NOVA_PRO_PRICE): number =>
  (t.inputTokens * price.inputPer1M +
    t.outputTokens * price.outputPer1M +
    t.cacheReadInputTokens * price.cacheReadPer1M +
    t.cacheWriteInputTokens * price.cacheWritePer1M) /
  1_000_000;
