import type { ToolResultContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { NovaloopError } from '../errors.js';
import type { JsonValue } from '../json.js';

export const NO_TOOL_OUTPUT_TEXT = '(the tool returned no output)';

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
  return content.map((block) => (typeof block.text === 'string' ? block.text : JSON.stringify(block.json ?? block))).join('\n');
}
