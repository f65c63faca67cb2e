// The infrastructure assistant from the "Direct Nova Pro" example, on @novaloop/core's Agent: two
// tools, one question, every step printed live the way Bedrock Agents' trace reads (rationale, tool
// call, observation, tokens, time and cost; @novaloop/trace's consoleTraceSink), then the answer, the
// run's tokens and its cost. The run is also appended to a JSONL trace file (examples/.traces/demo.jsonl,
// or NOVALOOP_DEMO_TRACE), and the last line is the command that turns it into an HTML page.
//
//   pnpm demo               offline: a scripted Nova Pro on bedrock-local (loopback only, no AWS account)
//   pnpm demo --bedrock     real Amazon Bedrock, billed to your AWS account; NOVALOOP_DEMO_BEDROCK=1 does the same
//
// Real Bedrock is opt-in so that running the demo never costs money or leaves the machine by
// accident. It needs AWS credentials (environment, AWS_PROFILE, a Bedrock API key or ~/.aws files)
// and access to Nova Pro; the region is AWS_REGION (default us-east-1). The tools stay stand-ins
// with fixed data in both modes, so the real model reasons over the same facts as the script.
import { startLocalBedrock, type LocalBedrock } from '@novaloop/bedrock-local';
import { Agent, NovaloopError, tool, type ClientConfig, type RunResult } from '@novaloop/core';
import { consoleTraceSink, jsonlTraceSink } from '@novaloop/trace';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const MODEL = 'us.amazon.nova-pro-v1:0';
export const QUESTION = 'How many failed ECS tasks do we have in the last hour?';
const SYSTEM = 'You are an infrastructure assistant. Use the tools to answer with facts.';
const SCRIPT = fileURLToPath(new URL('../scripts/infra-assistant.json', import.meta.url));
// A guard for --bedrock: the scripted run costs about $0.0014, so this only stops a model gone astray.
const MAX_COST_USD = 0.05;
// Long enough for this demo's tool calls and outputs; real ones can run to pages and would bury the trace.
const VALUE_CHARS = 240;
const DEFAULT_TRACE_FILE = fileURLToPath(new URL('../.traces/demo.jsonl', import.meta.url));

const USAGE = `Usage: pnpm demo [--bedrock]

  (no flag)   runs offline on bedrock-local, a scripted Bedrock on loopback
  --bedrock   runs on real Amazon Bedrock (also: NOVALOOP_DEMO_BEDROCK=1); needs AWS credentials

  Each run is appended to examples/.traces/demo.jsonl (or the file NOVALOOP_DEMO_TRACE names);
  the demo ends with the command that shows it as an HTML page.`;

/** A problem with how the demo was started; its message says what to do, so it is printed alone. */
export class DemoSetupError extends Error {
  override name = 'DemoSetupError';
}

const queryDatabase = tool({
  name: 'query_database',
  description: 'Run a read-only SQL query against the operations database',
  input: z.object({ query: z.string().describe('One read-only SQL SELECT statement') }),
  run: () => ({
    rows: [
      { service: 'payments-api', failed: 5 },
      { service: 'report-worker', failed: 2 },
    ],
  }),
});

const getServiceStatus = tool({
  name: 'get_service_status',
  description: 'Get current health status of an AWS service or ECS task',
  input: z.object({ service_name: z.string().describe('The service or ECS task name, e.g. payments-api') }),
  run: ({ service_name }) => ({ service: service_name, status: 'degraded', running: 2, desired: 4, last_failure: 'OutOfMemoryError' }),
});

/**
 * Runs the demo and returns the agent's result. `out` gets one line at a time; `env` is where the
 * --bedrock switch and the credential check look (the AWS SDK itself still reads `process.env`).
 * Throws `DemoSetupError` for a bad flag or missing credentials, before anything is started.
 */
export async function main(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunResult> {
  const args = argv.filter((arg) => arg !== '--'); // `pnpm demo -- --bedrock` passes the separator on
  const unknown = args.filter((arg) => arg !== '--bedrock');
  if (unknown.length > 0) throw new DemoSetupError(`Unknown argument ${unknown.join(' ')}.\n\n${USAGE}`);
  const useBedrock = args.includes('--bedrock') || env.NOVALOOP_DEMO_BEDROCK === '1' || env.NOVALOOP_DEMO_BEDROCK === 'true';
  if (useBedrock && !hasAwsCredentials(env)) throw new DemoSetupError(MISSING_CREDENTIALS);

  let server: LocalBedrock | undefined;
  let clientConfig: ClientConfig;
  if (useBedrock) {
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
    clientConfig = { region };
    out(`Backend: Amazon Bedrock in ${region} (real model calls, billed to your AWS account); model ${MODEL}`);
  } else {
    server = await startLocalBedrock({ script: SCRIPT, latencyMs: 40 });
    clientConfig = { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    out(`Backend: bedrock-local at ${server.endpoint} (offline, scripted; pass --bedrock for real Bedrock); model ${MODEL}`);
  }

  const agent = new Agent({
    model: MODEL,
    system: SYSTEM,
    tools: [queryDatabase, getServiceStatus],
    clientConfig,
    maxCostUsd: MAX_COST_USD,
  });
  const traceFile = resolve(env.NOVALOOP_DEMO_TRACE ?? DEFAULT_TRACE_FILE);
  mkdirSync(dirname(traceFile), { recursive: true });
  const traceSink = jsonlTraceSink(traceFile);
  traceSink.attach(agent);
  // Colour only on a terminal: `out` is console.log when run as a command, a collector in tests.
  const live = consoleTraceSink({
    out,
    color: out === console.log && process.stdout.isTTY === true && !env.NO_COLOR,
    maxChars: VALUE_CHARS,
    runSummary: false,
  });
  live.attach(agent);
  try {
    out('');
    out(`User: ${QUESTION}`);
    const result = await agent.run(QUESTION);
    out('');
    out(`Answer: ${result.text}`);
    out('');
    const { inputTokens, outputTokens, totalTokens } = result.usage;
    const modelCalls = result.steps.reduce((n, step) => n + step.attempts, 0);
    out(
      `Run: ${result.steps.length} steps, ${modelCalls} model calls, stop reason ${result.stopReason}; ` +
        `${inputTokens} in + ${outputTokens} out = ${totalTokens} tokens; cost ${formatUsd(result.costUsd)}`,
    );
    await traceSink.flush();
    out('');
    out(`Trace: appended to ${traceFile}. View it as an HTML page (from the repository root):`);
    out(`  ${viewCommand(traceFile)}`);
    return result;
  } finally {
    agent.close();
    await live.close();
    await traceSink.close().catch(() => undefined);
    await server?.close();
  }
}

/** The command that turns the demo's trace file into an HTML page; run it from the repository root. */
export const viewCommand = (traceFile: string) => `npx pnpm@10 trace view ${shellQuote(traceFile)}`;
const shellQuote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

// Sub-cent runs are the norm here; fixed cents would print $0.00 for every one of them.
export const formatUsd = (usd: number | undefined) => (usd === undefined ? 'unknown' : `$${usd.toFixed(6)}`);

const CREDENTIAL_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_BEARER_TOKEN_BEDROCK',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

/**
 * A cheap guess, not a verification: it only decides whether to try, so that a missing setup gets
 * advice instead of the SDK's credential-chain error. Instance roles found only through EC2 metadata
 * are missed; set AWS_PROFILE or the environment there.
 */
export function hasAwsCredentials(env: NodeJS.ProcessEnv): boolean {
  if (CREDENTIAL_ENV.some((name) => env[name])) return true;
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  const files = [env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'), env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config')];
  return files.some((file) => existsSync(file));
}

const MISSING_CREDENTIALS = `Real Bedrock (--bedrock or NOVALOOP_DEMO_BEDROCK=1) needs AWS credentials, and none were found.
Configure them in one of these ways, then run \`pnpm demo --bedrock\` again:
  - aws configure                (writes ~/.aws/credentials)
  - aws sso login --profile NAME and export AWS_PROFILE=NAME
  - export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... (and AWS_SESSION_TOKEN for temporary keys)
  - export AWS_BEARER_TOKEN_BEDROCK=...  (a Bedrock API key)
The account needs access to Amazon Nova Pro in AWS_REGION (default us-east-1).
Or run \`pnpm demo\` without --bedrock: it runs offline on bedrock-local.`;

const isEntryPoint = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntryPoint) {
  // The SDK's notice that its 2027 releases need Node 22 would land in the middle of the step output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
  } else {
    main(argv).catch((error: unknown) => {
      // Setup and novaloop errors end with what to do next; anything else is a bug worth a stack.
      console.error(error instanceof DemoSetupError || error instanceof NovaloopError ? error.message : error);
      process.exitCode = 1;
    });
  }
}
