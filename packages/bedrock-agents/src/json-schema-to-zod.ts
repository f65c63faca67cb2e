import { z } from 'zod/v4';

type Schema = Record<string, unknown>;
export type ZodType = z.ZodType;

/** Why a schema cannot become a tool input; the caller adds which action group and operation. */
export class SchemaProblem extends Error {}

/**
 * Turns a JSON Schema (as OpenAPI 3 writes it, `$ref`s already inlined) into a zod 4 schema that
 * validates what the model sends and that core turns back into a Nova-safe input schema.
 * Unknown or missing types accept any value, as Agents does.
 */
export function jsonSchemaToZod(schema: unknown, path: string): ZodType {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return z.unknown();
  const s = schema as Schema;
  let result = base(s, path);
  if (s.nullable === true) result = result.nullable();
  if (typeof s.description === 'string' && s.description !== '') result = result.describe(s.description);
  return result;
}

function base(s: Schema, path: string): ZodType {
  if (Array.isArray(s.enum) && s.enum.length > 0) {
    const values = s.enum.filter((value) => value !== null);
    if (values.every((value): value is string => typeof value === 'string') && values.length > 0) {
      return z.enum(values as [string, ...string[]]);
    }
    return z.union(values.map((value) => z.literal(value as string | number | boolean)) as unknown as [ZodType, ZodType]);
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) {
      const members = options.map((option, i) => jsonSchemaToZod(option, `${path}.${key}[${i}]`));
      return members.length === 1 ? (members[0] as ZodType) : z.union(members as [ZodType, ZodType, ...ZodType[]]);
    }
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0) return jsonSchemaToZod(mergeAllOf(s.allOf as Schema[], path), path);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string': {
      let string = z.string();
      if (typeof s.minLength === 'number') string = string.min(s.minLength);
      if (typeof s.maxLength === 'number') string = string.max(s.maxLength);
      return string;
    }
    case 'integer':
    case 'number': {
      let number = type === 'integer' ? z.number().int() : z.number();
      if (typeof s.minimum === 'number') number = number.min(s.minimum);
      if (typeof s.maximum === 'number') number = number.max(s.maximum);
      return number;
    }
    case 'boolean':
      return z.boolean();
    case 'array':
      return z.array(jsonSchemaToZod(s.items, `${path}.items`));
    case 'object':
      return objectSchema(s, path);
    case undefined:
      return typeof s.properties === 'object' && s.properties !== null ? objectSchema(s, path) : z.unknown();
    default:
      throw new SchemaProblem(`${path} has type ${JSON.stringify(type)}, which is not a JSON Schema type`);
  }
}

/** An object schema; properties not listed are passed on, as a Lambda behind Agents may expect them. */
export function objectSchema(s: Schema, path: string): z.ZodObject {
  const properties = (typeof s.properties === 'object' && s.properties !== null ? s.properties : {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const shape: Record<string, ZodType> = {};
  for (const [name, property] of Object.entries(properties)) {
    const member = jsonSchemaToZod(property, `${path}.${name}`);
    shape[name] = required.has(name) ? member : member.optional();
  }
  return z.object(shape);
}

function mergeAllOf(parts: Schema[], path: string): Schema {
  const merged: Schema = { type: 'object', properties: {}, required: [] };
  for (const part of parts) {
    if (typeof part !== 'object' || part === null) continue;
    if (part.type !== undefined && part.type !== 'object') {
      throw new SchemaProblem(`${path}.allOf combines non-object schemas, which a tool input cannot express; use one schema`);
    }
    Object.assign(merged.properties as Schema, part.properties ?? {});
    (merged.required as string[]).push(...((part.required as string[] | undefined) ?? []));
    if (typeof part.description === 'string') merged.description = part.description;
  }
  return merged;
}
