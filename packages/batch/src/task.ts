import { createHash } from 'node:crypto';
import { ExtractSchemaError, isNovaloopError } from '@novaloop/core';
import { converseRequestOf, prepareClassify, prepareExtract, preparePrompt, type SingleCall } from '@novaloop/core/batch-support';
import { BatchInputError } from './errors.js';
import { fill } from './template.js';
import type { BatchTask } from './types.js';

/** What batch() needs of a task, whatever its kind. */
export interface PreparedTask<R> {
  kind: 'classify' | 'extract' | 'prompt';
  /** The one model call for a record; `retry` is batch()'s own (it owns retries and concurrency). */
  callFor(record: R, id: string, retry: { maxAttempts: number }): SingleCall<unknown>;
  /** A typical answer's output tokens, for estimates. */
  typicalOutputTokens: number;
}

/** Checks a task once, before any record is read, and returns how to call it per record. */
export function prepareTask<R>(task: BatchTask<R>): PreparedTask<R> {
  if (typeof task !== 'object' || task === null) throw badTask();
  if ('classify' in task) {
    const options = task.classify;
    const textOf = task.text ?? defaultText;
    return {
      kind: 'classify',
      callFor: (record, id, retry) => prepareClassify(textOf(record, id), { ...options, retry }),
      typicalOutputTokens: 15,
    };
  }
  if ('extract' in task) {
    const schema = task.extract;
    checkObjectSchema(schema);
    const textOf = task.text ?? defaultText;
    return {
      kind: 'extract',
      callFor: (record, id, retry) => prepareExtract(textOf(record, id), schema, { ...task.options, retry }),
      typicalOutputTokens: 150,
    };
  }
  if ('prompt' in task) {
    const { system, user } = task.prompt ?? {};
    if (typeof user !== 'string' || user.trim() === '') {
      throw new BatchInputError(
        'BATCH_CONFIG',
        'batch(): a prompt task needs `prompt.user`, e.g. { prompt: { user: "Summarise: {{text}}" } }.',
      );
    }
    return {
      kind: 'prompt',
      callFor: (record, id, retry) => {
        const fields = record as unknown as Record<string, unknown>;
        const instructions = system !== undefined ? fill(system, fields, id) : task.options?.instructions;
        return preparePrompt(fill(user, fields, id), { ...task.options, ...(instructions !== undefined ? { instructions } : {}), retry });
      },
      typicalOutputTokens: Math.min(task.options?.inference?.maxTokens ?? task.options?.maxTokens ?? 300, 300),
    };
  }
  throw badTask();
}

const badTask = () =>
  new BatchInputError(
    'BATCH_CONFIG',
    'batch(): the task must be { classify: { labels } }, { extract: zodObjectSchema } or { prompt: { system?, user } }.',
  );

function defaultText(record: unknown, id: string): string {
  const text = (record as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') {
    throw new BatchInputError(
      'BATCH_CONFIG',
      `batch(): record ${JSON.stringify(id)} has no string "text" field. Give the task a \`text: (record) => string\` that picks the text to send.`,
    );
  }
  return text;
}

/** A schema that is not a zod object is refused before any record is sent, with the same error as extract(). */
function checkObjectSchema(schema: unknown): void {
  try {
    prepareExtract('probe', schema as never, {});
  } catch (error) {
    if (isNovaloopError(error) && error instanceof ExtractSchemaError) {
      throw new ExtractSchemaError(`batch(): ${error.message.replace(/^extract\(\): /, '')}`, { cause: error });
    }
    if (isNovaloopError(error) && error.code === 'EXTRACT_SCHEMA') throw error;
    throw error;
  }
}

/** The Converse request body a record's call sends first: a batch record's `modelInput`. */
export function modelInputOf(call: SingleCall<unknown>): Record<string, unknown> {
  const { modelId: _modelId, ...body } = converseRequestOf(call.request);
  return body as Record<string, unknown>;
}

/** Identifies a task's requests, so a checkpoint of another task is never resumed by mistake. */
export function fingerprint(call: SingleCall<unknown>, ids: readonly string[] = []): string {
  const { messages: _messages, ...rest } = converseRequestOf(call.request);
  const hash = createHash('sha256').update(JSON.stringify(rest));
  for (const id of ids) hash.update(`\u0000${id}`);
  return hash.digest('hex').slice(0, 16);
}
