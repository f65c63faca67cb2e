import { ToolDefinitionError } from '../errors.js';

// A tool's input arrives as JSON, and JSON has no dates: a plain z.date() in it can never validate,
// and the model is told "invalid input" however it writes the date. Caught when the tool is defined,
// for zod 3 (`_def.typeName === 'ZodDate'`) and zod 4 (`_zod.def.type === 'date'`). z.coerce.date()
// is fine: it makes a Date from the ISO string the model sends.

type Node = { _zod?: { def?: Record<string, unknown> }; _def?: Record<string, unknown> };

const isSchema = (value: unknown): value is Node =>
  typeof value === 'object' &&
  value !== null &&
  ('_zod' in value || ('_def' in value && typeof (value as { safeParse?: unknown }).safeParse === 'function'));

/** Throws ToolDefinitionError naming the field when the input schema holds a plain z.date(). */
export function rejectDateInputs(schema: unknown, toolName: string): void {
  const path = findPlainDate(schema, 'input', new Set());
  if (path === undefined) return;
  throw new ToolDefinitionError(
    toolName,
    `Tool ${toolName}: ${path} is z.date(), which no tool call can ever satisfy: tool inputs arrive as JSON, and JSON has no dates. ` +
      'Use z.string().datetime() (an ISO 8601 string; zod 4 also has z.iso.datetime()) and convert it in run(), ' +
      'or z.coerce.date() to accept an ISO string and receive a Date.',
  );
}

function findPlainDate(node: unknown, path: string, seen: Set<unknown>): string | undefined {
  if (!isSchema(node) || seen.has(node)) return undefined;
  seen.add(node);
  const def = node._zod?.def ?? node._def;
  if (!def) return undefined;
  if (def.type === 'date' || def.typeName === 'ZodDate') return def.coerce === true ? undefined : path;
  for (const [key, value] of Object.entries(def)) {
    // Only what the input must match: a pipe's output side and a lazy getter (recursion) are not walked.
    if (key === 'out' || key === 'getter') continue;
    if (key === 'shape') {
      const shape: unknown = typeof value === 'function' ? (value as () => unknown)() : value;
      if (typeof shape !== 'object' || shape === null) continue;
      for (const [name, child] of Object.entries(shape)) {
        const found = findPlainDate(child, `${path}.${name}`, seen);
        if (found) return found;
      }
    } else if (Array.isArray(value)) {
      for (const child of value) {
        const found = findPlainDate(child, path, seen);
        if (found) return found;
      }
    } else {
      const found = findPlainDate(value, key === 'element' || (key === 'type' && isSchema(value)) ? `${path}[]` : path, seen);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * zod 4's toJSONSchema `override`: a (coerced) date is an ISO 8601 string on the wire, as zod 3's
 * converter already says; without it zod 4 describes the field as `{}` and the model gets no hint.
 */
export function dateAsIsoString(ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }): void {
  const def = (ctx.zodSchema as Node)._zod?.def;
  if (def?.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
}
