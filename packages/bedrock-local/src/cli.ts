import { parseArgs } from 'node:util';
import { LocalBedrockAgentError } from './agents/agent-definition.js';
import { LocalBedrockScriptError } from './errors.js';
import { LocalBedrockLambdaError } from './lambda/lambda-functions.js';
import { LocalBedrockKnowledgeBaseError } from './knowledge-base.js';
import { startLocalBedrock } from './server.js';

const USAGE = `Usage: novaloop-bedrock-local [--port N] [--host ADDR] [--script file.json] [--latency-ms N] [--knowledge-base ID=DIR ...]
       [--agent agent.json ...] [--lambda NAME=handler.mjs ...]

Serves a local Amazon Bedrock Runtime (Converse, ConverseStream) over HTTP/2 cleartext and HTTP/1.1,
and the Agents Runtime Retrieve operation over each --knowledge-base folder of Markdown/text files.
For leaving Bedrock Agents: the bedrock-agent read calls from each --agent definition file, and Lambda
Invoke running each --lambda handler module (export const handler = async (event) => ...).
Prints the endpoint on its first line; point a client's endpoint at it. Stops on SIGINT or SIGTERM.`;

function fail(message: string): never {
  process.stderr.write(`novaloop-bedrock-local: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function integer(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) fail(`${flag} needs a whole number ≥ 0, got ${JSON.stringify(value)}.`);
  return parsed;
}

export async function main(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      // `pnpm run bedrock-local -- --port 8787` passes the `--` on; a leading one separates nothing.
      args: argv[0] === '--' ? argv.slice(1) : argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        script: { type: 'string' },
        'latency-ms': { type: 'string' },
        'knowledge-base': { type: 'string', multiple: true },
        agent: { type: 'string', multiple: true },
        lambda: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const knowledgeBases: Record<string, string> = {};
  for (const spec of values['knowledge-base'] ?? []) {
    const at = spec.indexOf('=');
    if (at < 1) fail(`--knowledge-base needs ID=DIR, got ${JSON.stringify(spec)}.`);
    knowledgeBases[spec.slice(0, at)] = spec.slice(at + 1);
  }
  const lambdaFunctions: Record<string, string> = {};
  for (const spec of values.lambda ?? []) {
    const at = spec.indexOf('=');
    if (at < 1) fail(`--lambda needs NAME=MODULE, got ${JSON.stringify(spec)}.`);
    lambdaFunctions[spec.slice(0, at)] = spec.slice(at + 1);
  }
  let server;
  try {
    server = await startLocalBedrock({
      port: integer(values.port, '--port', 0),
      host: values.host,
      script: values.script,
      latencyMs: integer(values['latency-ms'], '--latency-ms', 0),
      recordRequests: false,
      knowledgeBases,
      agents: values.agent ?? [],
      lambdaFunctions,
    });
  } catch (error) {
    if (
      error instanceof LocalBedrockScriptError ||
      error instanceof LocalBedrockKnowledgeBaseError ||
      error instanceof LocalBedrockAgentError ||
      error instanceof LocalBedrockLambdaError
    )
      fail(error.message);
    throw error;
  }
  process.stdout.write(`${server.endpoint}\n`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
