// Support triage on Nova Micro and Nova Pro: 20 support messages, each classified into a category with
// classify() on Micro, then answered through a cascade: Micro decides whether the request is simple
// (answered by Micro) or complex (answered by Pro). It prints, per message, the category, the route,
// tokens and cost, and the total against sending every message to Nova Pro. promptCache: 'auto'
// caches the long support policy, so runs after the first on each model read it at a quarter of the price.
//
//   pnpm triage              offline: bedrock-local answers from keyword rules (scripts/support-triage.json)
//   pnpm triage --bedrock    real Amazon Bedrock, billed to your AWS account (NOVALOOP_DEMO_BEDROCK=1 too)
import { startLocalBedrock, type LocalBedrock } from '@novaloop/bedrock-local';
import { Agent, cascade, classify, costOf, modelInfo, NovaloopError, type ClientConfig, type Usage } from '@novaloop/core';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DemoSetupError, hasAwsCredentials } from './demo.js';

export const MICRO = 'us.amazon.nova-micro-v1:0';
export const PRO = 'us.amazon.nova-pro-v1:0';
export const LABELS = ['BILLING', 'TECHNICAL', 'SHIPPING', 'RETURNS', 'OTHER'] as const;
const SCRIPT = fileURLToPath(new URL('../scripts/support-triage.json', import.meta.url));
// A guard for --bedrock: the whole run costs well under a cent.
const MAX_COST_USD = 0.05;

export const MESSAGES = [
  'Hi, I was charged twice for my order #4471 this morning. Can you refund one of them?',
  'Where is my parcel? The tracking page has said "label created" since Monday.',
  'The app crashes every time I open the settings page on my phone.',
  'The shoes I ordered are the wrong size. How do I exchange them for a 42?',
  'Do you have a physical store in Lyon?',
  'I forgot my password and the reset email never comes.',
  'Can I get an invoice with my company VAT number on it?',
  'My package was delivered to the wrong address, the courier left it at number 12.',
  'The lamp arrived damaged, the glass is cracked. I want to send it back.',
  'What are your customer service opening hours on weekends?',
  'Our webhook integration stopped receiving order events after your API change yesterday; we are losing orders.',
  'I have been charged three times for the same subscription and my bank says a chargeback is the only option.',
  'Since the outage last night none of our 40 staff accounts can log in with 2FA.',
  'We need a full data export of our account under GDPR, including deleted orders, for our legal team.',
  'How long does shipping to Canada usually take?',
  'Can I return an item I bought on sale?',
  'We are a reseller with 300 stores and need an integration with bulk pricing: who can we talk to?',
  'My payment failed but the money left my account. Which one is right?',
  'Your API answers 500 errors for bulk updates over 100 items, it has been failing for a week; please escalate.',
  'Thanks, the replacement works perfectly!',
] as const;

// Long enough (over Nova's 1,000-token checkpoint minimum) for promptCache: 'auto' to cache it.
const SUPPORT_POLICY = [
  'You are the customer support assistant of an online store that sells shoes, bags, lamps and home goods.',
  'Answer in two or three friendly sentences. Never invent order details: say what you checked, and what happens next.',
  'Refunds: duplicate charges are reversed at once and take 3-5 business days to appear. Refunds for returns are issued when the parcel is scanned by the courier.',
  'Returns: 30 days from delivery, items unused and in their box; sale items can be returned too; damaged items are replaced or refunded, the customer chooses.',
  'Shipping: orders leave the warehouse within one business day; domestic delivery takes 2 business days, Canada 5-8, elsewhere 7-12.',
  'Technical problems: collect the device, app version and steps; open a ticket for engineering and promise an update within one business day.',
  'Escalate to a human for legal requests, chargebacks, outages affecting many users, and anything involving data protection.',
]
  .join('\n')
  .concat('\n', "Tone: calm, specific and brief. Use the customer's words. Do not apologise more than once. ".repeat(40));

export interface TriageLine {
  message: string;
  label: (typeof LABELS)[number];
  route: string;
  modelId: string;
  /** Classification, routing and answer together. */
  usage: Usage;
  costUsd: number;
  /** The same answer on Nova Pro alone (no classification, no routing), from the same tokens. */
  proOnlyUsd: number;
}

const USAGE = `Usage: pnpm triage [--bedrock]

  (no flag)   runs offline on bedrock-local, which classifies with keyword rules
  --bedrock   runs on real Amazon Bedrock (also: NOVALOOP_DEMO_BEDROCK=1); needs AWS credentials`;

export async function main(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TriageLine[]> {
  const args = argv.filter((arg) => arg !== '--');
  const unknown = args.filter((arg) => arg !== '--bedrock');
  if (unknown.length > 0) throw new DemoSetupError(`Unknown argument ${unknown.join(' ')}.\n\n${USAGE}`);
  const useBedrock = args.includes('--bedrock') || env.NOVALOOP_DEMO_BEDROCK === '1' || env.NOVALOOP_DEMO_BEDROCK === 'true';
  if (useBedrock && !hasAwsCredentials(env)) {
    throw new DemoSetupError(
      'Real Bedrock (--bedrock) needs AWS credentials, and none were found; see `pnpm demo --help`, or run without --bedrock.',
    );
  }

  let server: LocalBedrock | undefined;
  let clientConfig: ClientConfig;
  if (useBedrock) {
    clientConfig = { region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1' };
    out(`Backend: Amazon Bedrock in ${clientConfig.region} (real model calls, billed to your AWS account)`);
  } else {
    server = await startLocalBedrock({ script: SCRIPT, latencyMs: 5 });
    clientConfig = { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    out(`Backend: bedrock-local at ${server.endpoint} (offline, keyword rules; pass --bedrock for real Bedrock)`);
  }

  const agent = new Agent({
    model: cascade({
      classifier: MICRO,
      routes: { simple: MICRO, complex: PRO },
      fallback: 'complex',
      instructions:
        'Decide who should answer this customer message. simple: a routine question with a standard answer. ' +
        'complex: several problems, outages, integrations, legal or data-protection requests, anything needing judgement.',
    }),
    system: SUPPORT_POLICY,
    promptCache: 'auto',
    maxCostUsd: MAX_COST_USD,
    clientConfig,
  });
  const pro = modelInfo(PRO).price;
  const lines: TriageLine[] = [];
  try {
    out('');
    out(' #  category   route    model                      in/out/cache-read tokens        cost');
    for (const [i, message] of MESSAGES.entries()) {
      // The same pooled client as the agent: no new connection per call.
      const category = await classify(message, { labels: LABELS, client: agent.client });
      const result = await agent.run(message);
      const usage = sum(category.usage, result.usage);
      const costUsd = (category.costUsd ?? 0) + (result.costUsd ?? 0);
      // Everything on Pro: no classification or routing, the answer steps' tokens at Pro's price.
      const answerUsage = result.steps.reduce((total, step) => sum(total, step.usage), sum());
      const proOnlyUsd =
        costOf({ ...answerUsage, inputTokens: answerUsage.inputTokens + answerUsage.cacheReadInputTokens, cacheReadInputTokens: 0 }, pro) ??
        0;
      const route = result.route;
      lines.push({
        message,
        label: category.label,
        route: route?.route ?? '?',
        modelId: route?.modelId ?? '?',
        usage,
        costUsd,
        proOnlyUsd,
      });
      out(
        `${String(i + 1).padStart(2)}  ${category.label.padEnd(9)}  ${(route?.route ?? '?').padEnd(7)}  ${(route?.modelId ?? '?').padEnd(25)}  ` +
          `${`${usage.inputTokens}/${usage.outputTokens}/${usage.cacheReadInputTokens}`.padEnd(30)}  $${costUsd.toFixed(7)}`,
      );
    }
    const total = lines.reduce((n, line) => n + line.costUsd, 0);
    const proOnly = lines.reduce((n, line) => n + line.proOnlyUsd, 0);
    const simple = lines.filter((line) => line.route === 'simple').length;
    out('');
    out(`Routes: ${simple} of ${lines.length} messages answered on Nova Micro, ${lines.length - simple} on Nova Pro.`);
    out(
      `Total: $${total.toFixed(6)} (classification, routing and answers); everything on Nova Pro: $${proOnly.toFixed(6)} (${(proOnly / total).toFixed(1)}× as much).`,
    );
    return lines;
  } finally {
    agent.close();
    await server?.close();
  }
}

function sum(...usages: Usage[]): Usage {
  const total: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
  for (const usage of usages) for (const key of Object.keys(total) as (keyof Usage)[]) total[key] += usage[key];
  return total;
}

const isEntryPoint = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntryPoint) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
  } else {
    main(argv).catch((error: unknown) => {
      console.error(error instanceof DemoSetupError || error instanceof NovaloopError ? error.message : error);
      process.exitCode = 1;
    });
  }
}
