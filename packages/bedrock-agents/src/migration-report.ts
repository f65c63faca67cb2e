import type { AgentDefinition } from './read-definition.js';

/** One part of the Bedrock agent that novaloop does not carry over, and what it does instead. */
export interface MigrationNote {
  /** What the agent has, e.g. `promptOverrideConfiguration ORCHESTRATION`, `action group code (AMAZON.CodeInterpreter)`. */
  feature: string;
  /** What novaloop does instead, or what to do. */
  novaloop: string;
}

const PROMPT_NOTES: Record<string, string> = {
  ORCHESTRATION:
    'novaloop has no orchestration template: the instruction is the system prompt and the tools go in Converse toolConfig. Move what the template added into the instruction (AgentOptions.system).',
  PRE_PROCESSING:
    'No pre-processing step: the prompt goes to the model as it is. Check or classify input in your application before agent.run.',
  POST_PROCESSING: "No post-processing step: the model's answer is result.text. Rewrite it in your application if needed.",
  KNOWLEDGE_BASE_RESPONSE_GENERATION:
    'The model reads the passages the knowledge-base tool returns and writes the answer itself; there is no separate generation prompt.',
  MEMORY_SUMMARIZATION: 'No memory summarization prompt: see the memoryConfiguration note.',
  ROUTING_CLASSIFIER: 'No routing classifier: one agent answers.',
};

/** What cannot be carried over from the agent's own settings (action groups and knowledge bases add their own notes). */
export function agentNotes(definition: AgentDefinition): MigrationNote[] {
  const notes: MigrationNote[] = [];
  const prompts = definition.promptOverrideConfiguration;
  for (const prompt of prompts?.promptConfigurations ?? []) {
    const type = prompt.promptType ?? 'UNKNOWN';
    if (prompt.promptCreationMode === 'OVERRIDDEN') {
      notes.push({
        feature: `promptOverrideConfiguration ${type} (overridden template)`,
        novaloop: PROMPT_NOTES[type] ?? 'Not carried over.',
      });
    } else if (prompt.promptState === 'ENABLED' && (type === 'PRE_PROCESSING' || type === 'POST_PROCESSING')) {
      notes.push({ feature: `promptOverrideConfiguration ${type} (enabled)`, novaloop: PROMPT_NOTES[type] as string });
    }
    if (prompt.parserMode === 'OVERRIDDEN') {
      notes.push({
        feature: `promptOverrideConfiguration ${type} parser`,
        novaloop: 'novaloop reads Converse tool calls itself; the parser Lambda is not called.',
      });
    }
  }
  if (prompts?.overrideLambda) {
    notes.push({
      feature: `parser Lambda ${prompts.overrideLambda}`,
      novaloop: 'novaloop reads Converse tool calls itself; the parser Lambda is not called.',
    });
  }
  if (definition.memoryConfiguration?.enabledMemoryTypes?.length) {
    notes.push({
      feature: `memoryConfiguration (${definition.memoryConfiguration.enabledMemoryTypes.join(', ')}, ${definition.memoryConfiguration.storageDays ?? 30} days)`,
      novaloop:
        "Sessions keep their whole history in the agent's memory (a SessionStore: SQLite, Redis or DynamoDB from @novaloop/memory); the summarizing() context policy summarises long ones. Summaries across sessions are not carried over.",
    });
  }
  if (definition.guardrailConfiguration?.guardrailIdentifier) {
    notes.push({
      feature: `guardrailConfiguration ${definition.guardrailConfiguration.guardrailIdentifier} version ${definition.guardrailConfiguration.guardrailVersion ?? 'DRAFT'}`,
      novaloop: 'Not applied to model calls. Check input and output with the ApplyGuardrail API in your application.',
    });
  }
  if (definition.agentCollaboration && definition.agentCollaboration !== 'DISABLED') {
    notes.push({
      feature: `agentCollaboration ${definition.agentCollaboration}`,
      novaloop:
        'Collaborators are not migrated. Migrate each collaborator with fromBedrockAgent and give the supervisor a tool that runs it.',
    });
  }
  if (definition.orchestrationType === 'CUSTOM_ORCHESTRATION') {
    notes.push({
      feature: 'orchestrationType CUSTOM_ORCHESTRATION',
      novaloop: "novaloop's loop orchestrates; the custom orchestration Lambda is not called.",
    });
  }
  return notes;
}

/** Built-in action groups Agents provides, which have no Lambda to call. */
export const SIGNATURE_NOTES: Record<string, string> = {
  'AMAZON.CodeInterpreter': 'No code interpreter. Give the agent a tool that runs code in a sandbox you control.',
  'AMAZON.UserInput':
    'The model asks the user in its answer (the run ends with the question as result.text); for a structured question, add a tool without run (it returns control).',
  'ANTHROPIC.Bash': 'Not carried over: a Claude computer-use tool. Define it as a novaloop tool.',
  'ANTHROPIC.Computer': 'Not carried over: a Claude computer-use tool. Define it as a novaloop tool.',
  'ANTHROPIC.TextEditor': 'Not carried over: a Claude computer-use tool. Define it as a novaloop tool.',
};
