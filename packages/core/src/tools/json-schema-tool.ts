import { ToolDefinitionError } from '../errors.js';
import type { JsonValue } from '../json.js';
import { buildTool, checkToolBasics, invalidInputMessage, type Tool, type ToolContext } from './tool.js';
import { toNovaJsonSchema, type JsonSchemaObject } from './tool-schema.js';

export interface JsonSchemaToolOptions {
  /** Letters, digits and underscores, at most 64 characters. */
  name: string;
  description: string;
  /** A JSON Schema of an object; converted as zod schemas are (see `toNovaJsonSchema`). */
  inputSchema: JsonSchemaObject;
  /** Gets the model's input object (checked to be an object with the required fields, nothing more). */
  run: (input: { [key: string]: JsonValue }, ctx: ToolContext) => unknown;
  timeoutMs?: number;
}

/**
 * Defines a tool from a JSON Schema instead of a zod schema, for tools described elsewhere (an MCP
 * server's). The schema is made Nova-safe; what was dropped is in `tool.schemaNotes` and in the trace
 * of each call. Input validation is left to `run` (or to the server it calls), except the shape
 * Bedrock guarantees nothing about: an object with the schema's required fields.
 */
export function jsonSchemaTool(options: JsonSchemaToolOptions): Tool {
  const { description, run, timeoutMs } = options;
  const name = checkToolBasics(options.name, description, timeoutMs);
  if (typeof run !== 'function') {
    throw new ToolDefinitionError(name, `Tool ${name}: run must be a function that receives the input object.`);
  }
  const { schema, notes } = toNovaJsonSchema(options.inputSchema, name);
  const required = Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === 'string') : [];
  return buildTool({
    name,
    description,
    inputSchema: schema,
    timeoutMs,
    schemaNotes: notes,
    parseInput: async (input) => {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        return { ok: false, message: invalidInputMessage(name, ['(root): expected an object']) };
      }
      const missing = required.filter((key) => !Object.hasOwn(input, key));
      if (missing.length > 0)
        return {
          ok: false,
          message: invalidInputMessage(
            name,
            missing.map((key) => `${key}: required`),
          ),
        };
      return { ok: true, value: input };
    },
    execute: async (input, ctx) => await run(input as { [key: string]: JsonValue }, ctx),
  });
}
