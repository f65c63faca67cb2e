import type { Message, Tool as ToolEntry, ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import type { ResolvedRetry } from '../model/retry-policy.js';
import { driveModelCall, type ModelCallRequest, type ModelCallResult, type ModelTransport } from '../model/drive-model-call.js';
import type { RunTotals } from '../loop/run-totals.js';
import type { JsonSchemaObject } from '../tools/tool-schema.js';

// The forced-tool pattern that classify(), extract() and a cascade's classifier share: one tool,
// `toolChoice: { tool: { name } }`, so the answer is the tool's input and no free text is parsed.

/** A forced tool whose only input is `property`, one of `values`. */
export function enumTool(name: string, description: string, property: string, values: readonly string[]): ToolEntry {
  const json: JsonSchemaObject = {
    type: 'object',
    properties: { [property]: { type: 'string', enum: [...values] } },
    required: [property],
  };
  return { toolSpec: { name, description, inputSchema: { json } } };
}

/** toolConfig with `tool` as the only tool, forced. */
export const forcing = (tool: ToolEntry): ToolConfiguration => ({ tools: [tool], toolChoice: { tool: { name: tool.toolSpec?.name } } });

/** The input of the forced tool's toolUse, or else the message's text (what to report as raw output). */
export function forcedAnswer(message: Message, name: string): { called: true; input: unknown } | { called: false; text: string } {
  let text = '';
  for (const block of message.content ?? []) {
    if (block.toolUse?.name === name) return { called: true, input: block.toolUse.input };
    if (block.text !== undefined) text += block.text;
  }
  return { called: false, text };
}

/** Greedy decoding for a forced tool on Nova: temperature 0, topK 1. */
export const GREEDY = { temperature: 0, topK: 1 } as const;

/**
 * One model call outside a run (classify, extract), through the one driver: the same retries, repairs,
 * abort and pricing as a run's steps. Rejects with the signal's reason when aborted.
 */
export async function callOutsideRun(
  transport: ModelTransport,
  request: ModelCallRequest,
  signal: AbortSignal,
  totals: RunTotals,
): Promise<ModelCallResult> {
  // Outside a run: its events go nowhere, so they carry no run id.
  const scope = { runId: '', sessionId: '', stepIndex: 0, signal, attempts: { count: 0 }, account: totals.account, emit: ignore };
  const answer = await driveModelCall(transport, request, scope);
  if (answer === 'aborted') throw signal.reason;
  return answer;
}

const ignore = (): void => undefined;

/**
 * One prepared model call outside a run (classify, extract, a prompt): the request of its first
 * attempt and how to turn the answer into a typed value (throwing the call's typed error otherwise).
 */
export interface SingleCall<T> {
  request: ModelCallRequest;
  retry: ResolvedRetry;
  parse(message: Message): Promise<T>;
}
