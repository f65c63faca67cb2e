import type { Tool as ToolEntry } from '@aws-sdk/client-bedrock-runtime';
import { ClassificationError, ClassifyConfigError } from '../errors.js';
import { RunTotals } from '../loop/run-totals.js';
import { checkPrompt } from '../model/preflight.js';
import type { Usage } from '../model/usage.js';
import { prepareCall, transportFor, type StructuredCallOptions } from './call-options.js';
import { callOutsideRun, enumTool, forcedAnswer, forcing, GREEDY, type SingleCall } from './forced-tool.js';

export interface ClassifyOptions<L extends string> extends StructuredCallOptions {
  /** The labels to choose from, e.g. `['BILLING', 'TECHNICAL', 'OTHER'] as const`. */
  labels: readonly L[];
}

export interface ClassifyResult<L extends string> {
  label: L;
  usage: Usage;
  /** USD; `undefined` when the model's price is unknown. */
  costUsd: number | undefined;
  /** Wall-clock time of the call, retries included, in ms. */
  latencyMs: number;
}

const TOOL = 'classify';
const DEFAULT_INSTRUCTIONS = 'Classify the text. Call the classify tool with the one label that fits best.';

/**
 * Classifies `text` into one of `labels` with a forced tool whose only input is an enum of the labels
 * (greedy decoding, a small maxTokens): no free text is parsed. Bad labels are a `ClassifyConfigError`
 * before anything is sent; an answer outside the labels is a `ClassificationError` with the raw answer.
 */
export async function classify<const L extends string>(text: string, options: ClassifyOptions<L>): Promise<ClassifyResult<L>> {
  const started = performance.now();
  const call = prepareClassify(text, options);
  const { transport, owned } = transportFor(options, call.retry);
  const totals = new RunTotals(call.request.price !== undefined);
  try {
    const answer = await callOutsideRun(transport, call.request, options.signal ?? new AbortController().signal, totals);
    const label = await call.parse(answer.turn.message);
    return { label, usage: totals.usage, costUsd: totals.costUsd, latencyMs: Math.round(performance.now() - started) };
  } finally {
    if (owned) transport.wire.close();
  }
}

/**
 * classify()'s model call without sending it: the request (what a batch record holds) and the parse
 * of an answer into a label (a `ClassificationError` when it is not one of the labels).
 */
export function prepareClassify<const L extends string>(text: string, options: ClassifyOptions<L>): SingleCall<L> {
  const { labels, tool } = toolFor(options?.labels);
  checkPrompt(text);
  const prepared = prepareCall({ instructions: DEFAULT_INSTRUCTIONS, ...options }, tool, 100);
  return {
    retry: prepared.retry,
    request: {
      purpose: 'classify',
      modelId: prepared.modelId,
      model: prepared.model,
      price: prepared.price,
      messages: [{ role: 'user', content: [{ text }] }],
      base: { ...(prepared.system ? { system: prepared.system } : {}), toolConfig: forcing(tool) },
      inference: { ...GREEDY, maxTokens: prepared.maxTokens },
      toolUseRepairs: 1,
    },
    parse: async (message) => {
      const said = forcedAnswer(message, TOOL);
      const label =
        said.called && typeof said.input === 'object' && said.input !== null ? (said.input as { label?: unknown }).label : undefined;
      if (typeof label !== 'string' || !labels.includes(label as L)) {
        const raw = said.called ? said.input : said.text;
        throw new ClassificationError(
          `The model answered ${JSON.stringify(raw)}, which is not one of the labels (${labels.join(', ')}). ` +
            'Make the labels or the instructions clearer, or map the answer yourself from rawOutput.',
          raw,
        );
      }
      return label as L;
    },
  };
}

// A request path classifies with the same labels array over and over: its tool is built once. The
// labels are compared on every call (cheaper than building the tool), so a changed array is checked again.
const tools = new WeakMap<readonly string[], { key: string; tool: ToolEntry }>();

function toolFor<L extends string>(labels: readonly L[] | undefined): { labels: readonly L[]; tool: ToolEntry } {
  const known = Array.isArray(labels) ? tools.get(labels) : undefined;
  if (known && known.key === (labels as readonly L[]).join('\u0000')) return { labels: labels as readonly L[], tool: known.tool };
  const checked = checkLabels(labels);
  const tool = enumTool(TOOL, 'Records the label that fits the text.', 'label', checked);
  tools.set(checked, { key: checked.join('\u0000'), tool });
  return { labels: checked, tool };
}

function checkLabels<L extends string>(labels: readonly L[] | undefined): readonly L[] {
  if (!Array.isArray(labels) || labels.length === 0) {
    throw new ClassifyConfigError("classify(): `labels` must be a non-empty array of strings, e.g. ['BILLING', 'TECHNICAL', 'OTHER'].");
  }
  const seen = new Set<string>();
  for (const label of labels) {
    if (typeof label !== 'string' || label.trim() === '')
      throw new ClassifyConfigError(`classify(): every label must be a non-blank string (got ${JSON.stringify(label)}).`);
    if (seen.has(label))
      throw new ClassifyConfigError(`classify(): the label ${JSON.stringify(label)} is listed twice; list each label once.`);
    seen.add(label);
  }
  return labels;
}
