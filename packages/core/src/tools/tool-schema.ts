import type { JsonValue } from '../json.js';
import { dateAsIsoString } from './date-input.js';
import type { $ZodType } from 'zod/v4/core';
import { toJSONSchema as zod4ToJSONSchema } from 'zod/v4/core';
import { createRequire } from 'node:module';
import type { zodToJsonSchema as ZodToJsonSchema } from 'zod-to-json-schema';
import { ToolDefinitionError } from '../errors.js';

// zod-to-json-schema is only needed for zod 3 schemas; loading it lazily keeps it off the cold-start
// path of every app that defines its tools with zod 4.
let zod3Converter: typeof ZodToJsonSchema | undefined;
function zodToJsonSchema(...args: Parameters<typeof ZodToJsonSchema>): ReturnType<typeof ZodToJsonSchema> {
  zod3Converter ??= (createRequire(import.meta.url)('zod-to-json-schema') as { zodToJsonSchema: typeof ZodToJsonSchema }).zodToJsonSchema;
  return zod3Converter(...args);
}

// zod is a peer dependency (3.25 or later, or 4), and both have `zod/v4/core`. It is imported as ESM
// like the app's own zod, so the two share one copy: a `require()` here would load zod a second time,
// from its CommonJS build, on every cold start.
type ToJSONSchemaParams = { io: 'input'; unrepresentable: 'any'; override?: typeof dateAsIsoString };
function toJSONSchema(schema: $ZodType, params: ToJSONSchemaParams): unknown {
  return zod4ToJSONSchema(schema, params);
}

export type JsonObject = { [key: string]: JsonValue };
/** A JSON Schema document as a plain JSON object (what Bedrock's `inputSchema.json` carries). */
export type JsonSchemaObject = JsonObject;

const PASS_Z_OBJECT = 'Pass z.object({ ... }) (zod 3 or zod 4) as the tool input, e.g. z.object({ city: z.string() }).';

/**
 * Converts a zod 3 or zod 4 schema into an input schema that Amazon Nova accepts: an object root with
 * only `type`, `properties` and `required`, and no `$ref` anywhere.
 */
export function toNovaInputSchema(schema: unknown, toolName: string): JsonSchemaObject {
  const raw = toRawJsonSchema(schema, toolName);
  const resolved = new RefInliner(raw, toolName).schema(raw, []);

  if (!isJsonObject(resolved) || resolved.type !== 'object') {
    throw new ToolDefinitionError(
      toolName,
      `Tool ${toolName}: the input schema must describe an object (got ${describeSchemaKind(resolved)}); Amazon Nova only accepts ` +
        `tool inputs that are JSON objects. ${PASS_Z_OBJECT}`,
    );
  }
  // A record (z.record) is an object with no fixed properties; keeping only `properties` would
  // silently tell the model it may send nothing.
  if (
    !isJsonObject(resolved.properties) &&
    (resolved.additionalProperties !== undefined || resolved.patternProperties !== undefined || resolved.propertyNames !== undefined)
  ) {
    throw new ToolDefinitionError(
      toolName,
      `Tool ${toolName}: the input schema is a record/map with no named properties, which Amazon Nova cannot use as a tool input. ${PASS_Z_OBJECT}`,
    );
  }

  // Nova rejects any other top-level keyword ($schema, title, description, additionalProperties, $defs, ...).
  const result: JsonSchemaObject = { type: 'object', properties: isJsonObject(resolved.properties) ? resolved.properties : {} };
  if (Array.isArray(resolved.required) && resolved.required.length > 0) {
    result.required = resolved.required;
  }
  return result;
}

function toRawJsonSchema(schema: unknown, toolName: string): JsonValue {
  let converted: unknown;
  try {
    if (typeof schema === 'object' && schema !== null && '_zod' in schema) {
      // zod 4 must be checked first: its schemas also carry a `_def`, and zod-to-json-schema turns them
      // into an empty schema without any error.
      converted = toJSONSchema(schema as $ZodType, { io: 'input', unrepresentable: 'any', override: dateAsIsoString });
    } else if (isZod3Schema(schema)) {
      // `$refStrategy: 'none'` would silently replace a recursive reference with `{}` (accept anything);
      // with 'root' the recursion stays visible as a `$ref`, which the inliner rejects with a clear error.
      converted = zodToJsonSchema(schema as Parameters<typeof ZodToJsonSchema>[0], {
        $refStrategy: 'root',
        effectStrategy: 'input',
        pipeStrategy: 'input',
      });
    } else {
      throw new ToolDefinitionError(toolName, `Tool ${toolName}: the input is not a zod schema. ${PASS_Z_OBJECT}`);
    }
  } catch (err) {
    if (err instanceof ToolDefinitionError) throw err;
    throw new ToolDefinitionError(
      toolName,
      `Tool ${toolName}: the input schema could not be converted to JSON Schema (${errorText(err)}). ` +
        `Use only JSON-representable types in the input schema. ${PASS_Z_OBJECT}`,
      { cause: err },
    );
  }
  try {
    // Normalises whatever the converters put in (Date defaults, undefined values) into plain JSON.
    return JSON.parse(JSON.stringify(converted)) as JsonValue;
  } catch (err) {
    throw new ToolDefinitionError(
      toolName,
      `Tool ${toolName}: the input schema contains values that are not JSON (${errorText(err)}); check defaults and examples.`,
      { cause: err },
    );
  }
}

function isZod3Schema(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null || !('_def' in schema)) return false;
  const def: unknown = schema._def;
  return typeof def === 'object' && def !== null && 'typeName' in def && typeof def.typeName === 'string';
}

// Keywords whose value is a schema, an array of schemas, or a name -> schema map. Everything else
// (enum, const, default, examples, required, ...) is data and must be copied verbatim, even if it
// happens to contain a "$ref" key.
const SCHEMA_KEYWORDS = new Set([
  'items',
  'additionalItems',
  'additionalProperties',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
]);
const SCHEMA_ARRAY_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'dependentSchemas']);
// Meaningless once every reference is inlined; Nova rejects some of them.
const DROPPED_KEYWORDS = new Set(['$schema', '$defs', 'definitions', '$id']);

class RefInliner {
  constructor(
    private readonly root: JsonValue,
    private readonly toolName: string,
  ) {}

  /** `refStack` holds the references being expanded on the current path, to detect recursion. */
  schema(node: JsonValue, refStack: readonly string[]): JsonValue {
    if (!isJsonObject(node)) return cloneJson(node);

    const ref = node.$ref;
    if (typeof ref !== 'string') return this.keywords(node, refStack);

    if (!ref.startsWith('#')) {
      throw new ToolDefinitionError(
        this.toolName,
        `Tool ${this.toolName}: the input schema references an external schema (${ref}); only self-contained schemas are supported.`,
      );
    }
    if (refStack.includes(ref)) {
      throw new ToolDefinitionError(
        this.toolName,
        `Tool ${this.toolName}: the input schema is recursive (${ref} refers to itself), and recursive schemas are not supported by ` +
          'Amazon Nova. Flatten it: replace the recursive part (z.lazy or a self-referencing getter) with a fixed number of levels.',
      );
    }
    const target = this.lookup(ref);
    const inlined = this.schema(target, [...refStack, ref]);
    const { $ref: _ref, ...rest } = node;
    const siblings = this.keywords(rest, refStack);
    if (Object.keys(siblings).length === 0) return inlined;
    // Sibling keywords (zod 4 puts a per-use `description` next to the $ref) refine the shared definition.
    return isJsonObject(inlined) ? { ...inlined, ...siblings } : { allOf: [inlined, siblings] };
  }

  private keywords(node: JsonObject, refStack: readonly string[]): JsonObject {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED_KEYWORDS.has(key)) continue;
      if (SCHEMA_MAP_KEYWORDS.has(key) && isJsonObject(value)) {
        const map: JsonObject = {};
        for (const [name, sub] of Object.entries(value)) map[name] = this.schema(sub, refStack);
        out[key] = map;
      } else if ((SCHEMA_ARRAY_KEYWORDS.has(key) || key === 'items') && Array.isArray(value)) {
        out[key] = value.map((sub) => this.schema(sub, refStack));
      } else if (SCHEMA_KEYWORDS.has(key)) {
        out[key] = this.schema(value, refStack);
      } else if (key === 'dependencies' && isJsonObject(value)) {
        // draft-07: each entry is either a schema or a list of property names.
        const deps: JsonObject = {};
        for (const [name, sub] of Object.entries(value)) deps[name] = Array.isArray(sub) ? cloneJson(sub) : this.schema(sub, refStack);
        out[key] = deps;
      } else {
        out[key] = cloneJson(value);
      }
    }
    return out;
  }

  private lookup(ref: string): JsonValue {
    const pointer = ref.slice(1);
    let current: JsonValue | undefined = this.root;
    if (pointer !== '') {
      for (const rawToken of pointer.split('/').slice(1)) {
        const token = decodeURIComponent(rawToken).replace(/~1/g, '/').replace(/~0/g, '~');
        if (Array.isArray(current)) {
          current = /^\d+$/.test(token) ? current[Number(token)] : undefined;
        } else if (isJsonObject(current) && Object.hasOwn(current, token)) {
          current = current[token];
        } else {
          current = undefined;
        }
        if (current === undefined) break;
      }
    }
    if (current === undefined) {
      throw new ToolDefinitionError(
        this.toolName,
        `Tool ${this.toolName}: the input schema has a reference that points nowhere (${ref}). This is likely a bug in the zod to ` +
          `JSON Schema conversion; simplify the schema. ${PASS_Z_OBJECT}`,
      );
    }
    return current;
  }
}

function cloneJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [key, sub] of Object.entries(value)) out[key] = cloneJson(sub);
    return out;
  }
  return value;
}

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeSchemaKind(schema: JsonValue): string {
  if (!isJsonObject(schema)) return `the boolean schema ${String(schema)}`;
  if (typeof schema.type === 'string') return `${/^[aeiou]/.test(schema.type) ? 'an' : 'a'} ${schema.type} schema`;
  if (Array.isArray(schema.type)) return `a schema of type ${schema.type.map(String).join(' | ')}`;
  if (schema.anyOf !== undefined || schema.oneOf !== undefined) return 'a union';
  if (schema.allOf !== undefined) return 'an intersection';
  return 'a schema without a type';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
