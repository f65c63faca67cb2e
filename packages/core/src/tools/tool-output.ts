import type { ToolResultContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { NovaloopError } from '../errors.js';
import type { JsonValue } from '../json.js';

export const NO_TOOL_OUTPUT_TEXT = '(the tool returned no output)';

// Symbol.for: a value made by another copy of @novaloop/core is still recognised.
const TOOL_CONTENT: unique symbol = Symbol.for('novaloop.toolContent') as never;

/** Content blocks a tool returns as they are (from `toolContent()`). */
export interface ToolContent {
  readonly [TOOL_CONTENT]: true;
  readonly blocks: readonly ToolResultContentBlock[];
  readonly status: 'success' | 'error';
}

/**
 * Returned from a tool's `run`: these Converse toolResult blocks (text, json, image, document) go
 * to the model as they are, and `status: 'error'` makes them an error result the model sees.
 */
export function toolContent(blocks: readonly ToolResultContentBlock[], options: { status?: 'success' | 'error' } = {}): ToolContent {
  if (!Array.isArray(blocks) || blocks.some((block) => typeof block !== 'object' || block === null)) {
    throw new NovaloopError('TOOL_OUTPUT', 'toolContent() takes an array of toolResult content blocks, e.g. [{ text: "done" }].');
  }
  const status = options.status ?? 'success';
  return Object.freeze({ [TOOL_CONTENT]: true as const, blocks: Object.freeze([...blocks]), status });
}

function isToolContent(value: unknown): value is ToolContent {
  return typeof value === 'object' && value !== null && (value as Partial<ToolContent>)[TOOL_CONTENT] === true;
}

/** A tool's return value as a toolResult: its content, and whether it is an error result. */
export function toToolResult(value: unknown): { content: ToolResultContentBlock[]; status: 'success' | 'error' } {
  if (isToolContent(value)) {
    const content = value.blocks.length > 0 ? [...value.blocks] : [{ text: NO_TOOL_OUTPUT_TEXT }];
    return { content, status: value.status };
  }
  return { content: toToolResultContent(value), status: 'success' };
}

/** Turns whatever a tool's `run` returned into the content of a Bedrock toolResult. */
export function toToolResultContent(value: unknown): ToolResultContentBlock[] {
  // An empty toolResult content (or an empty text block) is rejected by Bedrock, so "nothing" is said in words.
  if (value === undefined) return [{ text: NO_TOOL_OUTPUT_TEXT }];
  if (typeof value === 'string' && value !== '') return [{ text: value }];

  const json = toJsonValue(value);
  // Bedrock only accepts a JSON object in a json block; everything else is wrapped.
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) return [{ json }];
  return [{ json: { result: json } }];
}

function toJsonValue(value: unknown): JsonValue {
  // Plain data (the usual tool output) is copied directly: the same value the round trip below
  // makes, for a fraction of its cost. Anything else takes the round trip.
  try {
    const copied = plainCopy(value, 0);
    if (copied !== NOT_PLAIN) return copied;
  } catch {
    // A getter that throws: the round trip reports it.
  }
  let text: string | undefined;
  try {
    // The round trip is what the model would see anyway: Dates become strings, undefined properties
    // vanish, class instances keep only their own enumerable data.
    text = JSON.stringify(value);
  } catch (err) {
    throw notSerialisable(err instanceof Error ? err.message : String(err), err);
  }
  // JSON.stringify returns undefined (no throw) for functions, symbols and toJSON() returning undefined.
  if (text === undefined) throw notSerialisable(`a ${typeof value} has no JSON form`);
  return JSON.parse(text) as JsonValue;
}

const NOT_PLAIN = Symbol('not plain');
const MAX_PLAIN_DEPTH = 32;

/**
 * A copy of JSON-shaped data, equal to `JSON.parse(JSON.stringify(value))`, or NOT_PLAIN for anything
 * whose round trip changes it (Dates, class instances, toJSON, undefined members, holes, -0, NaN,
 * cycles or deep nesting), which the caller then sends through the round trip.
 */
function plainCopy(value: unknown, depth: number): JsonValue | typeof NOT_PLAIN {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_PLAIN;
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_PLAIN_DEPTH) return NOT_PLAIN;
      if (Array.isArray(value)) {
        const out: JsonValue[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return NOT_PLAIN;
          const item = plainCopy(value[i], depth + 1);
          if (item === NOT_PLAIN) return NOT_PLAIN;
          out[i] = item;
        }
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || 'toJSON' in value) return NOT_PLAIN;
      const out: { [key: string]: JsonValue } = {};
      for (const key of Object.keys(value)) {
        // Assigning "__proto__" would set the copy's prototype, not a property as JSON.parse does.
        if (key === '__proto__') return NOT_PLAIN;
        const item = plainCopy((value as Record<string, unknown>)[key], depth + 1);
        if (item === NOT_PLAIN) return NOT_PLAIN;
        out[key] = item;
      }
      return out;
    }
    default:
      return NOT_PLAIN;
  }
}

function notSerialisable(detail: string, cause?: unknown): NovaloopError {
  return new NovaloopError(
    'TOOL_OUTPUT',
    `The tool returned a value that cannot be converted to JSON (${detail}). Return JSON-serialisable data from run: ` +
      'strings, numbers, booleans, null, arrays and plain objects (convert BigInt to string and remove circular references).',
    { cause },
  );
}

/** A toolResult's content as one string: text blocks as they are, json blocks as JSON. */
export function toolResultText(content: readonly ToolResultContentBlock[]): string {
  return content.map(blockText).join('\n');
}

function blockText(block: ToolResultContentBlock): string {
  if (typeof block.text === 'string') return block.text;
  if (block.json !== undefined) return JSON.stringify(block.json);
  // Media is named, not dumped: its bytes mean nothing as text.
  if (block.image) return `[image: ${block.image.format ?? 'unknown format'}]`;
  if (block.document) return `[document: ${block.document.name ?? 'unnamed'}]`;
  return JSON.stringify(block);
}
