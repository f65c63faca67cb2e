import type { Message, Tool as ToolEntry } from '@aws-sdk/client-bedrock-runtime';
import { AgentConfigError, ExtractionError, ExtractSchemaError, isNovaloopError } from '../errors.js';
import { RunTotals } from '../loop/run-totals.js';
import { checkPrompt } from '../model/preflight.js';
import type { Usage } from '../model/usage.js';
import type { InferToolInput, ZodLikeSchema } from '../tools/tool.js';
import { toNovaInputSchema } from '../tools/tool-schema.js';
import { prepareCall, transportFor, type StructuredCallOptions } from './call-options.js';
import { callOutsideRun, forcedAnswer, forcing, GREEDY, type SingleCall } from './forced-tool.js';

export interface ExtractOptions extends StructuredCallOptions {
  /** Model calls at most, the first included (default 3): an answer failing the schema is sent back with the issues. */
  maxAttempts?: number;
}

export interface ExtractResult<T> {
  data: T;
  /** Over every attempt. */
  usage: Usage;
  costUsd: number | undefined;
  /** Model calls made (1 when the first answer passed the schema). */
  attempts: number;
}

const TOOL = 'extract';
const DEFAULT_INSTRUCTIONS =
  'Extract the requested fields from the text. Call the extract tool with them; leave out what the text does not say.';

// A schema is converted once, however many calls use it.
const tools = new WeakMap<object, ToolEntry>();

/**
 * Extracts data typed by a zod object schema (zod 3 or 4) from `text`, through a forced tool whose
 * input schema is the schema. An answer that fails the schema is sent back with the schema's issues
 * and asked again, up to `maxAttempts`; then an `ExtractionError` with the last raw answer.
 */
export async function extract<S extends ZodLikeSchema>(
  text: string,
  schema: S,
  options: ExtractOptions = {},
): Promise<ExtractResult<InferToolInput<S>>> {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new AgentConfigError('extract(): `maxAttempts` must be an integer ≥ 1.');
  const call = prepareExtract(text, schema, options);
  const { transport, owned } = transportFor(options, call.retry);
  const totals = new RunTotals(call.request.price !== undefined);
  const signal = options.signal ?? new AbortController().signal;
  const messages = call.request.messages;
  try {
    for (let attempt = 1; ; attempt++) {
      const answer = await callOutsideRun(transport, { ...call.request, messages }, signal, totals);
      const message = answer.turn.message;
      const checked = await checkAnswer(schema, message);
      if (checked.ok) return { data: checked.data, usage: totals.usage, costUsd: totals.costUsd, attempts: attempt };
      const { issues } = checked;
      if (attempt >= maxAttempts) throw new ExtractionError(attempt, issues, checked.raw);
      // The failed answer and what was wrong with it, so the next attempt can correct it.
      const use = message.content?.find((block) => block.toolUse?.name === TOOL)?.toolUse;
      const feedback = `The input failed the schema: ${issues.join('; ')}. Call ${TOOL} again with corrected input.`;
      messages.push(
        message,
        use?.toolUseId
          ? { role: 'user', content: [{ toolResult: { toolUseId: use.toolUseId, content: [{ text: feedback }], status: 'error' } }] }
          : { role: 'user', content: [{ text: `Call the ${TOOL} tool with the data.` }] },
      );
    }
  } finally {
    if (owned) transport.wire.close();
  }
}

/**
 * extract()'s first model call without sending it: the request (what a batch record holds) and the
 * parse of an answer into the schema's data (an `ExtractionError` after this one attempt otherwise).
 */
export function prepareExtract<S extends ZodLikeSchema>(
  text: string,
  schema: S,
  options: StructuredCallOptions = {},
): SingleCall<InferToolInput<S>> {
  const tool = toolFor(schema);
  checkPrompt(text);
  const prepared = prepareCall({ instructions: DEFAULT_INSTRUCTIONS, ...options }, tool, 2_000);
  const messages: Message[] = [{ role: 'user', content: [{ text }] }];
  return {
    retry: prepared.retry,
    request: {
      purpose: 'extract',
      modelId: prepared.modelId,
      model: prepared.model,
      price: prepared.price,
      messages,
      base: { ...(prepared.system ? { system: prepared.system } : {}), toolConfig: forcing(tool) },
      inference: { ...GREEDY, maxTokens: prepared.maxTokens },
      toolUseRepairs: 1,
    },
    parse: async (message) => {
      const checked = await checkAnswer(schema, message);
      if (!checked.ok) throw new ExtractionError(1, checked.issues, checked.raw);
      return checked.data;
    },
  };
}

type Checked<T> = { ok: true; data: T } | { ok: false; issues: string[]; raw: unknown };

async function checkAnswer<S extends ZodLikeSchema>(schema: S, message: Message): Promise<Checked<InferToolInput<S>>> {
  const said = forcedAnswer(message, TOOL);
  if (!said.called) return { ok: false, issues: ['the answer did not call the extract tool'], raw: said.text };
  const parsed = (await schema.safeParseAsync(said.input)) as { success: boolean; data?: unknown; error?: { issues?: unknown } };
  if (parsed.success) return { ok: true, data: parsed.data as InferToolInput<S> };
  return { ok: false, issues: issueLines(parsed.error?.issues), raw: said.input };
}

function toolFor(schema: ZodLikeSchema): ToolEntry {
  if (typeof schema !== 'object' || schema === null || typeof schema.safeParseAsync !== 'function') {
    throw new ExtractSchemaError('extract(): the schema must be a zod object schema (zod 3 or 4), e.g. z.object({ orderId: z.string() }).');
  }
  let tool = tools.get(schema);
  if (!tool) {
    try {
      const json = toNovaInputSchema(schema, TOOL);
      tool = { toolSpec: { name: TOOL, description: 'Records the data extracted from the text.', inputSchema: { json } } };
    } catch (error) {
      if (!isNovaloopError(error)) throw error;
      throw new ExtractSchemaError(`extract(): ${error.message.replace(/^Tool extract: /, '')}`, { cause: error });
    }
    tools.set(schema, tool);
  }
  return tool;
}

/** zod 3 and zod 4 issues as `path: message` lines. */
function issueLines(issues: unknown): string[] {
  if (!Array.isArray(issues) || issues.length === 0) return ['the input does not match the schema'];
  return issues.map((issue: { path?: unknown; message?: unknown }) => {
    const path = Array.isArray(issue.path) && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${String(issue.message)}`;
  });
}
