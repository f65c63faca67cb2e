// Leaving Bedrock Agents without a rewrite: the infrastructure assistant, as it runs on Bedrock Agents
// (agent.json: a function-schema action group, an OpenAPI action group, both backed by Lambda
// handlers in ./lambdas, and a knowledge base of runbooks), migrated with one fromBedrockAgent call
// and run with invokeAgentStream, which yields InvokeAgent's own completion events. It prints the
// migration, the trace, the answer, and the input tokens of each model call next to what the same
// calls cost under Bedrock Agents' orchestration prompt (bench scenario 7's estimate).
//
//   npx pnpm@10 migrate     offline: bedrock-local serves the bedrock-agent read calls (from agent.json),
//                           Lambda Invoke (running ./lambdas), Retrieve (the kb-assistant runbooks) and
//                           a scripted Nova Pro, all on loopback; the real SDK clients talk to it
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { fromBedrockAgent, invokeAgentStream, type InvokeAgentTracePart, type MigratedAgent } from '@novaloop/bedrock-agents';
import { fileURLToPath } from 'node:url';
import { AGENTS_TOKENS_PER_CALL } from '../../bench/src/scenarios/cost.js';

export const QUESTION = 'How many failed ECS tasks do we have in the last hour?';
export const AGENT_ID = 'INFRAAGENT';
export const ALIAS_ID = 'PRODALIAS1';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const VALUE_CHARS = 110;

/** The local stand-ins for the AWS account the agent lives in: what `main` and the README test start. */
export const LOCAL_ACCOUNT = {
  agents: [here('./agent.json')],
  lambdaFunctions: { 'infra-database': here('./lambdas/database.mjs'), 'infra-status': here('./lambdas/service-status.mjs') },
  knowledgeBases: { RUNBOOKSKB: here('../kb-assistant/runbooks') },
};

export interface MigrationRun {
  agent: MigratedAgent;
  answer: string;
  /** Input tokens of each model call, in order. */
  inputTokens: number[];
  traces: InvokeAgentTracePart[];
}

/** Migrates the agent and runs the question on bedrock-local; `out` gets one line at a time. */
export async function main(out: (line: string) => void = console.log): Promise<MigrationRun> {
  const bedrock = await startLocalBedrock({ ...LOCAL_ACCOUNT, script: here('./script.json') });
  // Each client gets its own credentials object: the SDK writes to it.
  const config = () => ({
    region: 'us-east-1',
    endpoint: bedrock.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let agent: MigratedAgent | undefined;
  try {
    out(`Backend: bedrock-local at ${bedrock.endpoint} (offline: bedrock-agent, Lambda, Retrieve and a scripted Nova Pro)`);
    agent = await fromBedrockAgent({
      agentId: AGENT_ID,
      agentAliasId: ALIAS_ID,
      clientConfig: config(),
      lambdaClientConfig: config(),
      knowledgeBaseClientConfig: config(),
      agentOptions: { clientConfig: config() },
    });
    const { source } = agent;
    out(`Migrated Bedrock agent ${source.agentId} "${source.agentName}" (alias ${source.agentAliasId} → version ${source.agentVersion}):`);
    out(`  model ${agent.model}, instruction as the system prompt, idle session TTL ${source.idleSessionTTLInSeconds} s`);
    for (const action of agent.actions) {
      const from =
        'knowledgeBaseId' in action
          ? `knowledge base ${action.knowledgeBaseId}`
          : `action group ${action.actionGroup}, ${'function' in action ? `function ${action.function}` : `${action.httpMethod} ${action.apiPath}`}` +
            (action.lambda ? ` (Lambda ${action.lambda.split(':').at(-1)})` : ' (returns control)');
      out(`  tool ${action.toolName.padEnd(26)} ← ${from}`);
    }
    for (const note of agent.migrationReport) out(`  not carried over: ${note.feature}. ${note.novaloop}`);
    out('');
    out(`User: ${QUESTION}`);

    const traces: InvokeAgentTracePart[] = [];
    const inputTokens: number[] = [];
    let answer = '';
    // The loop an application wrote for InvokeAgentCommand's `completion` stream, unchanged.
    for await (const event of invokeAgentStream(agent, { inputText: QUESTION, sessionId: 'migrate-demo', enableTrace: true })) {
      if (event.chunk) answer += new TextDecoder().decode(event.chunk.bytes);
      else if (event.trace) {
        traces.push(event.trace);
        const line = traceLine(event.trace, inputTokens);
        if (line) out(line);
      } else if (event.returnControl) out(`  (returned control: ${event.returnControl.invocationId})`);
    }
    out('');
    out(`Answer: ${answer}`);
    out('');
    out('Input tokens per model call:');
    out('  call  novaloop  Bedrock Agents (estimate)');
    inputTokens.forEach((tokens, i) =>
      out(`  ${String(i + 1).padEnd(4)}  ${String(tokens).padStart(8)}  ${String(tokens + AGENTS_TOKENS_PER_CALL).padStart(8)}`),
    );
    const total = inputTokens.reduce((sum, tokens) => sum + tokens, 0);
    const agentsTotal = total + AGENTS_TOKENS_PER_CALL * inputTokens.length;
    out(
      `  all   ${String(total).padStart(8)}  ${String(agentsTotal).padStart(8)}  (Bedrock Agents: ${(agentsTotal / total).toFixed(1)}× the input tokens)`,
    );
    out(
      `  The estimate adds Bedrock Agents' orchestration prompt, ${AGENTS_TOKENS_PER_CALL} input tokens per model call (bench scenario 7).`,
    );
    return { agent, answer, inputTokens, traces };
  } finally {
    agent?.close();
    await bedrock.close();
  }
}

/** One line per trace part worth reading: model calls with their tokens, rationale, calls and what came back. */
function traceLine(part: InvokeAgentTracePart, inputTokens: number[]): string | undefined {
  if ('failureTrace' in part.trace) return `  failure: ${part.trace.failureTrace.failureReason}`;
  if (!('orchestrationTrace' in part.trace)) return undefined;
  const trace = part.trace.orchestrationTrace;
  const step = `  [${inputTokens.length + ('modelInvocationOutput' in trace ? 1 : 0)}]`;
  if ('modelInvocationOutput' in trace) {
    const { usage } = trace.modelInvocationOutput.metadata;
    inputTokens.push(usage.inputTokens);
    return `${step} model call: ${usage.inputTokens} input tokens, ${usage.outputTokens} output tokens`;
  }
  if ('rationale' in trace) return `${step} rationale: ${clip(trace.rationale.text)}`;
  if ('invocationInput' in trace) {
    const input = trace.invocationInput;
    if (input.invocationType === 'ACTION_GROUP') {
      const call = input.actionGroupInvocationInput as typeof input.actionGroupInvocationInput & {
        actionGroupName?: string;
        apiPath?: string;
        verb?: string;
      };
      const target = call.apiPath ? `${call.verb} ${call.apiPath}` : call.function;
      return `${step} action group ${call.actionGroupName}: ${target} ${clip(JSON.stringify(call.parameters.map(({ name, value }) => ({ [name]: value }))))}`;
    }
    if (input.invocationType === 'KNOWLEDGE_BASE')
      return `${step} knowledge base ${input.knowledgeBaseLookupInput.knowledgeBaseId}: "${input.knowledgeBaseLookupInput.text}"`;
    return undefined;
  }
  if ('observation' in trace) {
    const observation = trace.observation;
    if (observation.type === 'ACTION_GROUP') return `${step} observation: ${clip(observation.actionGroupInvocationOutput.text)}`;
    if (observation.type === 'KNOWLEDGE_BASE') {
      const sources = observation.knowledgeBaseLookupOutput.retrievedReferences.map((ref) =>
        ref.location?.s3Location?.uri?.split('/').at(-1),
      );
      return `${step} retrieved: ${[...new Set(sources)].join(', ')}`;
    }
  }
  return undefined;
}

const clip = (text: string) => (text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS)}…` : text).replace(/\s+/g, ' ');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
