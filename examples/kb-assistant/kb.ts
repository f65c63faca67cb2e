// The knowledge-base assistant: an agent that answers operations questions from a folder of
// runbooks, the way a Bedrock Agent with a Knowledge Base does, on @novaloop/core and
// @novaloop/tools' knowledgeBaseRetrieve. It prints each step as it happens, with the retrieval shown
// as the knowledgeBaseLookupInput / knowledgeBaseLookupOutput trace parts Bedrock Agents emits,
// then the answer and the sources it drew on.
//
//   npx pnpm@10 kb                       offline: bedrock-local serves both Nova Pro (scripted) and the
//                                         knowledge base (Retrieve over ./runbooks), on loopback only
//   npx pnpm@10 kb -- "your question"    the same, with your question; the script answers only questions
//                                         about tasks running out of memory, anything else gets its error
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { Agent, NovaloopError, type Observation, type RunResult, type TracePart } from '@novaloop/core';
import { knowledgeBaseRetrieve, type RetrievedReference } from '@novaloop/tools';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MODEL = 'us.amazon.nova-pro-v1:0';
export const KNOWLEDGE_BASE_ID = 'KBRUNBOOKS';
export const QUESTION = "payments-api tasks keep getting OOM-killed since this morning's deploy. What should I do?";
export const RUNBOOKS = fileURLToPath(new URL('./runbooks', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./script.json', import.meta.url));
const SYSTEM =
  'You are an operations assistant. Answer only from the runbooks: search them with search_runbooks, ' +
  'and name the runbook file behind each step of your answer.';
const PASSAGE_CHARS = 70;

/** Runs the assistant on bedrock-local and returns the run; `out` gets one line at a time. */
export async function main(question: string = QUESTION, out: (line: string) => void = console.log): Promise<RunResult> {
  const bedrock = await startLocalBedrock({ script: SCRIPT, latencyMs: 30, knowledgeBases: { [KNOWLEDGE_BASE_ID]: RUNBOOKS } });
  const clientConfig = { region: 'us-east-1', endpoint: bedrock.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const searchRunbooks = knowledgeBaseRetrieve({
    knowledgeBaseId: KNOWLEDGE_BASE_ID,
    name: 'search_runbooks',
    description: 'Search the operations runbooks (ECS, deploys, PostgreSQL, Redis) for passages about a problem.',
    numberOfResults: 3,
    maxTokens: 1_000,
    // A credentials object of its own: the SDK writes to it, and two clients must not share one.
    clientConfig: { ...clientConfig, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
  });
  const agent = new Agent({ model: MODEL, system: SYSTEM, tools: [searchRunbooks], clientConfig });
  const documents = readdirSync(RUNBOOKS).filter((name) => name.endsWith('.md')).length;
  out(`Backend: bedrock-local at ${bedrock.endpoint} (offline, scripted ${MODEL})`);
  out(`Knowledge base ${KNOWLEDGE_BASE_ID}: ${documents} runbooks in examples/kb-assistant/runbooks`);
  out('');
  out(`User: ${question}`);
  printLive(agent, out);
  try {
    const result = await agent.run(question);
    out('');
    out(`Answer: ${result.text}`);
    out('');
    out('Sources:');
    for (const source of sourcesOf(result)) out(`  ${source.cited ? '*' : ' '} ${source.uri}  (best score ${source.score.toFixed(2)})`);
    out('  (* cited in the answer)');
    return result;
  } finally {
    agent.close();
    await bedrock.close();
  }
}

function printLive(agent: Agent, out: (line: string) => void): void {
  agent.events.on('model-response', (event) => {
    out('');
    out(`Step ${event.stepIndex + 1}  (${event.usage.inputTokens} in / ${event.usage.outputTokens} out tokens, ${event.stopReason})`);
  });
  agent.events.on('rationale', (event) => out(`  rationale:   ${event.text.replace(/\s+/g, ' ').trim()}`));
  agent.events.on('trace', (part: TracePart) => {
    if (!('orchestrationTrace' in part.trace)) return;
    const trace = part.trace.orchestrationTrace;
    if ('invocationInput' in trace && trace.invocationInput.invocationType === 'KNOWLEDGE_BASE') {
      const { knowledgeBaseId, text } = trace.invocationInput.knowledgeBaseLookupInput;
      out(
        `  invocationInput  KNOWLEDGE_BASE  knowledgeBaseLookupInput: {knowledgeBaseId: ${knowledgeBaseId}, text: ${JSON.stringify(text)}}`,
      );
    }
    if ('observation' in trace) printObservation(trace.observation, out);
  });
}

function printObservation(observation: Observation, out: (line: string) => void): void {
  if (observation.type === 'KNOWLEDGE_BASE') {
    const references = observation.knowledgeBaseLookupOutput.retrievedReferences as RetrievedReference[];
    out(`  observation      KNOWLEDGE_BASE  knowledgeBaseLookupOutput: ${references.length} retrievedReferences`);
    for (const reference of references) {
      const text = reference.content.text.replace(/\s+/g, ' ');
      const shown = text.length > PASSAGE_CHARS ? `${text.slice(0, PASSAGE_CHARS - 1)}…` : text;
      out(`    ${(reference.score ?? 0).toFixed(2)}  ${reference.location?.s3Location?.uri ?? '?'}  "${shown}"`);
    }
  } else if (observation.type === 'ACTION_GROUP' && observation.actionGroupInvocationOutput?.status === 'error') {
    out(`  observation      error: ${observation.actionGroupInvocationOutput.text}`);
  }
}

/** Every document the run retrieved, best score first, and whether the answer names it. */
export function sourcesOf(result: RunResult): { uri: string; score: number; cited: boolean }[] {
  const best = new Map<string, number>();
  for (const part of result.trace) {
    if (!('orchestrationTrace' in part.trace)) continue;
    const trace = part.trace.orchestrationTrace;
    if (!('observation' in trace) || trace.observation.type !== 'KNOWLEDGE_BASE') continue;
    for (const reference of trace.observation.knowledgeBaseLookupOutput.retrievedReferences as RetrievedReference[]) {
      const uri = reference.location?.s3Location?.uri;
      if (uri !== undefined) best.set(uri, Math.max(best.get(uri) ?? 0, reference.score ?? 0));
    }
  }
  return [...best]
    .map(([uri, score]) => ({ uri, score, cited: result.text.includes(uri.split('/').pop() ?? uri) }))
    .sort((a, b) => b.score - a.score || a.uri.localeCompare(b.uri));
}

const isEntryPoint = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntryPoint) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  main(args.length > 0 ? args.join(' ') : QUESTION).catch((error: unknown) => {
    console.error(error instanceof NovaloopError ? error.message : error);
    process.exitCode = 1;
  });
}
