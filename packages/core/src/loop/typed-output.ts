import type { Message, ToolResultBlock, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { AgentConfigError, isNovaloopError } from '../errors.js';
import { parseWith, tool, type Tool, type ZodLikeSchema } from '../tools/tool.js';

/** The forced tool that carries a typed answer. */
export const OUTPUT_TOOL_NAME = 'final_answer';

const DESCRIPTION =
  'Give your final answer to the user by calling this tool, with input that matches its schema. Call it once, after any other tools you need.';

/** A run's typed output: the forced tool, and how many wrong answers are sent back before giving up. */
export interface OutputSpec {
  tool: Tool;
  schema: ZodLikeSchema;
  maxRetries: number;
}

/** Checks `run(input, { output })` and builds the forced tool; throws `AgentConfigError` for what cannot work. */
export function outputSpec(schema: ZodLikeSchema, maxRetries: number, tools: ReadonlyMap<string, Tool>): OutputSpec {
  if (typeof schema !== 'object' || schema === null || typeof schema.safeParseAsync !== 'function') {
    throw new AgentConfigError('`output` must be a zod schema (zod 3 or zod 4), e.g. z.object({ answer: z.string() }).');
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new AgentConfigError('`outputRetries` must be an integer ≥ 0.');
  if (tools.has(OUTPUT_TOOL_NAME)) {
    throw new AgentConfigError(`A tool is named ${OUTPUT_TOOL_NAME}, the name typed output uses for its answer; rename that tool.`);
  }
  try {
    return { tool: tool({ name: OUTPUT_TOOL_NAME, description: DESCRIPTION, input: schema, run: (value) => value }), schema, maxRetries };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AgentConfigError(`\`output\` cannot be sent to the model as a tool schema: ${detail}`, {
      cause: isNovaloopError(error) ? error : undefined,
    });
  }
}

/** What a step's answer through the forced tool came to. */
export type OutputAnswer =
  { ok: true; value: unknown; result: ToolResultBlock } | { ok: false; input: unknown; issues: string[]; result: ToolResultBlock };

/** Parses the forced tool's input; the toolResult tells the model what was wrong, so it can answer again. */
export async function checkAnswer(spec: OutputSpec, use: ToolUseBlock): Promise<OutputAnswer> {
  const toolUseId = use.toolUseId ?? '';
  const parsed = await parseWith(spec.schema, use.input);
  if (parsed.ok) return { ok: true, value: parsed.value, result: { toolUseId, content: [{ text: 'Answer recorded.' }] } };
  const text =
    `The answer does not match the schema: ${parsed.issues.join('; ')}. ` + `Call ${OUTPUT_TOOL_NAME} again with a corrected answer.`;
  return { ok: false, input: use.input, issues: parsed.issues, result: { toolUseId, content: [{ text }], status: 'error' } };
}

/** Sent after a text answer, so the forced call that follows is a new user turn (Bedrock needs alternating roles). */
export const ASK_FOR_OUTPUT: Message = {
  role: 'user',
  content: [{ text: `Now give your final answer by calling ${OUTPUT_TOOL_NAME}.` }],
};

/**
 * The `final_answer` spec for a run of an agent without tools on a session whose history holds typed
 * answers: Bedrock refuses tool blocks in the history of a request without a toolConfig. Its
 * schema is the loosest one; a call of it is answered like any unknown tool.
 */
export const PAST_OUTPUT_TOOL = {
  toolSpec: {
    name: OUTPUT_TOOL_NAME,
    description: 'Only for typed answers of earlier requests in this conversation. Do not call it now.',
    inputSchema: { json: { type: 'object', properties: {} } },
  },
};

/** Whether any message holds a toolUse or toolResult block (read once per run, only for an agent without tools). */
export function hasToolBlocks(messages: readonly Message[]): boolean {
  return messages.some((m) => m.content?.some((b) => b.toolUse !== undefined || b.toolResult !== undefined));
}
