import { LocalBedrockScriptError } from './errors.js';
import type { ScriptTurn } from './script.js';
import { isObject, type ConverseRequestBody } from './wire-types.js';

/**
 * One keyword rule for forced-tool classification: when the request forces a tool
 * (`toolChoice: { tool: { name } }`) whose input has a string property with an `enum`, the first
 * rule that fits answers that tool with `label` in that property. A rule fits when its `tool` (if
 * given) is the forced tool's name and its `match` (if given) matches the last user message's text.
 */
export interface ClassifyRule {
  /** Regular expression (case-insensitive) tested against the text of the last user message. */
  match?: string;
  /** Only for this forced tool name (e.g. `route` for novaloop's cascade, `classify` for classify()). */
  tool?: string;
  /** Answered as written, even when it is not in the enum (to test how a client handles that). */
  label: string;
}

interface CompiledRule {
  match: RegExp | undefined;
  tool: string | undefined;
  label: string;
}

/** The rules of a script's `classify` list, checked once at startup. */
export class ClassifyRules {
  private readonly rules: CompiledRule[];

  constructor(rules: unknown) {
    if (!Array.isArray(rules)) throw new LocalBedrockScriptError('"classify" must be an array of { match?, tool?, label } rules.');
    this.rules = rules.map((rule: unknown, i) => {
      const at = `classify[${i}]`;
      if (!isObject(rule) || typeof rule.label !== 'string' || rule.label === '') {
        throw new LocalBedrockScriptError(`${at} needs a non-empty "label" string.`);
      }
      if (rule.tool !== undefined && typeof rule.tool !== 'string') throw new LocalBedrockScriptError(`${at}.tool must be a string.`);
      if (rule.match !== undefined && typeof rule.match !== 'string') throw new LocalBedrockScriptError(`${at}.match must be a string.`);
      let match: RegExp | undefined;
      try {
        match = rule.match === undefined ? undefined : new RegExp(rule.match, 'i');
      } catch (error) {
        throw new LocalBedrockScriptError(`${at}.match is not a valid regular expression: ${(error as Error).message}`);
      }
      return { match, tool: rule.tool as string | undefined, label: rule.label };
    });
  }

  /**
   * The turn answering a forced-tool classification request, or `undefined` when the request is not
   * one (no forced tool, or its input has no enum property). With no fitting rule, the enum's first value.
   */
  turnFor(body: ConverseRequestBody): ScriptTurn | undefined {
    const target = forcedEnumTool(body);
    if (!target) return undefined;
    const text = lastUserText(body);
    const rule = this.rules.find((r) => (r.tool === undefined || r.tool === target.name) && (r.match === undefined || r.match.test(text)));
    const label = rule?.label ?? target.values[0];
    return {
      content: [{ toolUse: { toolUseId: 'auto', name: target.name, input: { [target.property]: label } } }],
      stopReason: 'tool_use',
    };
  }
}

/** The forced tool's name, and its first string property that has an enum. */
function forcedEnumTool(body: ConverseRequestBody): { name: string; property: string; values: string[] } | undefined {
  const choice = body.toolConfig?.toolChoice;
  const forced = isObject(choice) && isObject(choice.tool) && typeof choice.tool.name === 'string' ? choice.tool.name : undefined;
  if (forced === undefined) return undefined;
  for (const entry of body.toolConfig?.tools ?? []) {
    const spec = isObject(entry) && isObject(entry.toolSpec) ? entry.toolSpec : undefined;
    if (!spec || spec.name !== forced) continue;
    const schema = isObject(spec.inputSchema) && isObject(spec.inputSchema.json) ? spec.inputSchema.json : undefined;
    const properties = schema && isObject(schema.properties) ? schema.properties : {};
    for (const [property, value] of Object.entries(properties)) {
      if (isObject(value) && Array.isArray(value.enum) && value.enum.length > 0 && value.enum.every((v) => typeof v === 'string')) {
        return { name: forced, property, values: value.enum as string[] };
      }
    }
  }
  return undefined;
}

/** The texts of the last user message, joined by newlines. */
function lastUserText(body: ConverseRequestBody): string {
  const last = [...body.messages].reverse().find((message) => message.role === 'user');
  return (last?.content ?? []).flatMap((block) => (isObject(block) && typeof block.text === 'string' ? [block.text] : [])).join('\n');
}

/**
 * The answer to a request that forces a tool when nothing scripted answers it: a toolUse of that tool
 * (as the real service always gives) whose input fills the schema's required properties with
 * placeholders: an enum's first value, "example", 1, true, [] or {}. `undefined` when no tool is forced.
 */
export function forcedToolTurn(body: ConverseRequestBody): ScriptTurn | undefined {
  const choice = body.toolConfig?.toolChoice;
  const forced = isObject(choice) && isObject(choice.tool) && typeof choice.tool.name === 'string' ? choice.tool.name : undefined;
  if (forced === undefined) return undefined;
  const spec = (body.toolConfig?.tools ?? [])
    .map((entry) => (isObject(entry) && isObject(entry.toolSpec) ? entry.toolSpec : undefined))
    .find((candidate) => candidate?.name === forced);
  const schema = spec && isObject(spec.inputSchema) ? spec.inputSchema.json : undefined;
  const input = placeholder(schema);
  return { content: [{ toolUse: { toolUseId: 'auto', name: forced, input: isObject(input) ? input : {} } }], stopReason: 'tool_use' };
}

function placeholder(schema: unknown): unknown {
  if (!isObject(schema)) return {};
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case 'string':
      return 'example';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === 'string') : [];
      return Object.fromEntries(required.map((name) => [name, placeholder(properties[name])]));
    }
    default:
      return {};
  }
}
