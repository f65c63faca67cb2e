import { ToolDefinitionError } from '../errors.js';
import type { JsonValue } from '../json.js';
import type { SessionAttributes } from '../session/session-store.js';
import { rejectDateInputs } from './date-input.js';
import type { JsonSchemaObject } from './tool-schema.js';
import { toNovaInputSchema } from './tool-schema.js';

/** What a tool's `run` gets besides its input. */
export interface ToolContext {
  /** Aborted when the run is cancelled or the tool times out; pass it on to fetch and SDK calls. */
  signal: AbortSignal;
  toolUseId: string;
  runId: string;
  sessionId: string;
  stepIndex: number;
  /** The session's attributes, which outlive the run; what a tool sets is saved with its step. */
  session: ToolSession;
}

export interface ToolSession {
  /** The attributes as they are now (the stored ones, the run's, and what tools set so far). */
  readonly attributes: Readonly<SessionAttributes>;
  /** Sets an attribute, or removes it with `undefined`; throws a TypeError for a value JSON cannot hold. */
  set(key: string, value: JsonValue | undefined): void;
}

/**
 * The one method novaloop needs from a schema. Both zod 3 and zod 4 schemas have it, so neither
 * version has to be imported for its types.
 */
export interface ZodLikeSchema {
  safeParseAsync(data: unknown): Promise<unknown>;
}

/** The parsed (output) type of a schema, read from the success branch of its `safeParseAsync` result. */
export type InferToolInput<S> = S extends { safeParseAsync(data: unknown): Promise<infer R> }
  ? R extends { success: true; data: infer D }
    ? D
    : never
  : never;

export interface ToolOptions<S extends ZodLikeSchema, R> {
  /** Letters, digits and underscores, at most 64 characters. */
  name: string;
  /** Tells the model when and how to use the tool. */
  description: string;
  /** A `z.object({ ... })` from zod 3 or zod 4. */
  input: S;
  /**
   * Gets the input after validation, defaults and transforms. Without it the tool returns control:
   * a call pauses the run, and the application runs it and answers with `agent.resume`.
   */
  run?: (input: InferToolInput<S>, ctx: ToolContext) => R | Promise<R>;
  /** Pauses the run on every call even though `run` is given, like a tool without `run` (default false). */
  returnControl?: boolean;
  /**
   * Pauses the run before the tool runs (stopReason 'needs_approval') when true, or when the function
   * says so for this input; `agent.resume` then approves (the tool runs) or denies (the model is told).
   * A function that throws counts as "needs approval".
   */
  needsApproval?: boolean | ((input: InferToolInput<S>, ctx: ToolContext) => boolean | Promise<boolean>);
  /** For a tool that returns control: the schema the application's result must match (zod 3 or 4). */
  output?: ZodLikeSchema;
  timeoutMs?: number;
  /**
   * How the trace shows this tool's calls. `{ type: 'KNOWLEDGE_BASE', knowledgeBaseId }` shows them as
   * Agents' knowledge-base lookups: the input's string field `query` as the lookup text, and the
   * output's `retrievedReferences` array (Agents' RetrievedReference shape) as the result; an error
   * or an output without that array is shown as an ordinary tool call. Default: an action-group call.
   */
  traceAs?: ToolTraceAs;
}

/** See `ToolOptions.traceAs`. */
export type ToolTraceAs = { type: 'KNOWLEDGE_BASE'; knowledgeBaseId: string };

/** How an agent made a tool by `agent.asTool()` is traced: as Agents' collaborator calls. */
export type CollaboratorTraceAs = { type: 'AGENT_COLLABORATOR'; collaboratorName: string };

export interface Tool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: JsonSchemaObject;
  readonly timeoutMs: number | undefined;
  readonly traceAs?: ToolTraceAs | CollaboratorTraceAs | undefined;
  /** What was changed to make the tool's JSON Schema one Nova accepts (dropped keywords); shown in the trace. */
  readonly schemaNotes?: readonly string[] | undefined;
  /** Bedrock's Tool entry for toolConfig.tools */
  readonly spec: { toolSpec: { name: string; description: string; inputSchema: { json: JsonSchemaObject } } };
  /** Validates raw model input; a failure `message` is written for the model, so it can call again. */
  parseInput(input: unknown): Promise<{ ok: true; value: unknown } | { ok: false; message: string }>;
  /** Runs the tool on a value returned by a successful `parseInput`; never throws synchronously. */
  execute(input: unknown, ctx: ToolContext): Promise<unknown>;
  /** Whether a call pauses the run for the application to run it (no `run`, or `returnControl: true`). */
  readonly returnControl?: boolean;
  /** Present when calls may need approval: whether this parsed input does. */
  needsApproval?(input: unknown, ctx: ToolContext): Promise<boolean>;
  /** Present when an output schema is declared: checks a result the application returned. */
  parseOutput?(value: unknown): Promise<{ ok: true; value: unknown } | { ok: false; message: string }>;
}

const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_]{1,64}$/;
const MAX_TOOL_NAME_LENGTH = 64;

/** Defines a tool; throws `ToolDefinitionError` for anything Bedrock or Nova would reject later. */
export function tool<S extends ZodLikeSchema, R>(options: ToolOptions<S, R>): Tool {
  const { description, input: schema, run, timeoutMs, traceAs, needsApproval, output } = options;
  const name = checkToolBasics(options.name, description, timeoutMs);
  const returnControl = run === undefined || options.returnControl === true;

  if (typeof schema !== 'object' || schema === null || typeof schema.safeParseAsync !== 'function') {
    throw new ToolDefinitionError(name, `Tool ${name}: input must be a zod schema. Pass z.object({ ... }) from zod 3 or zod 4.`);
  }
  if (run !== undefined && typeof run !== 'function') {
    throw new ToolDefinitionError(
      name,
      `Tool ${name}: run must be a function that receives the parsed input, or left out for a tool that returns control.`,
    );
  }
  if (needsApproval !== undefined && typeof needsApproval !== 'boolean' && typeof needsApproval !== 'function') {
    throw new ToolDefinitionError(name, `Tool ${name}: needsApproval must be a boolean or a function (input, ctx) => boolean.`);
  }
  if (needsApproval !== undefined && needsApproval !== false && returnControl) {
    throw new ToolDefinitionError(
      name,
      `Tool ${name} returns control (it has no run, or returnControl: true) and also needs approval; the application ` +
        'already decides about every call of it. Drop needsApproval, or give the tool a run.',
    );
  }
  if (output !== undefined && (typeof output !== 'object' || output === null || typeof output.safeParseAsync !== 'function')) {
    throw new ToolDefinitionError(name, `Tool ${name}: output must be a zod schema (zod 3 or zod 4).`);
  }

  if (
    traceAs !== undefined &&
    (typeof traceAs !== 'object' ||
      traceAs === null ||
      traceAs.type !== 'KNOWLEDGE_BASE' ||
      typeof traceAs.knowledgeBaseId !== 'string' ||
      traceAs.knowledgeBaseId === '')
  ) {
    throw new ToolDefinitionError(
      name,
      `Tool ${name}: traceAs must be { type: 'KNOWLEDGE_BASE', knowledgeBaseId: '<a non-empty id>' }, or left out for an ordinary tool.`,
    );
  }
  rejectDateInputs(schema, name);
  const inputSchema = toNovaInputSchema(schema, name);

  return buildTool({
    name,
    description: description as string,
    inputSchema,
    timeoutMs,
    traceAs: traceAs ? { type: traceAs.type, knowledgeBaseId: traceAs.knowledgeBaseId } : undefined,
    parseInput: (input) => parseInputWith(schema, name, input),
    execute: async (input, ctx) => {
      if (!run) throw new Error(`${name} returns control: the application runs it, not the agent.`);
      return await run(input as InferToolInput<S>, ctx);
    },
    returnControl,
    ...(needsApproval === true || typeof needsApproval === 'function'
      ? {
          async needsApproval(input: unknown, ctx: ToolContext): Promise<boolean> {
            if (needsApproval === true) return true;
            try {
              return (await needsApproval(input as InferToolInput<S>, ctx)) !== false;
            } catch {
              // Unsure means ask: a failing check must never let a call through unapproved.
              return true;
            }
          },
        }
      : {}),
    ...(output
      ? {
          async parseOutput(value: unknown): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
            const parsed = await parseWith(output, value);
            return parsed.ok ? parsed : { ok: false, message: parsed.issues.join('; ') };
          },
        }
      : {}),
  });
}

/** The parts of a tool, checked; internal (`tool()`, `jsonSchemaTool()` and `agent.asTool()` make them). */
export interface ToolParts {
  name: string;
  description: string;
  inputSchema: JsonSchemaObject;
  timeoutMs: number | undefined;
  traceAs?: ToolTraceAs | CollaboratorTraceAs | undefined;
  schemaNotes?: readonly string[] | undefined;
  parseInput: Tool['parseInput'];
  /** Gets a value `parseInput` returned; may throw or reject. */
  execute(input: unknown, ctx: ToolContext): Promise<unknown>;
  /** A call of it pauses the run for the application (no `run`, or `returnControl: true`). */
  returnControl?: boolean;
  needsApproval?: Tool['needsApproval'];
  parseOutput?: Tool['parseOutput'];
}

export function buildTool(parts: ToolParts): Tool {
  const {
    name,
    description,
    inputSchema,
    timeoutMs,
    traceAs,
    schemaNotes,
    parseInput,
    execute,
    returnControl,
    needsApproval,
    parseOutput,
  } = parts;
  return Object.freeze({
    name,
    description,
    inputSchema,
    timeoutMs,
    ...(traceAs ? { traceAs } : {}),
    ...(schemaNotes && schemaNotes.length > 0 ? { schemaNotes: Object.freeze([...schemaNotes]) } : {}),
    spec: { toolSpec: { name, description, inputSchema: { json: inputSchema } } },
    parseInput,
    async execute(input: unknown, ctx: ToolContext): Promise<unknown> {
      // Inside an async function a synchronous throw becomes a rejection.
      return await execute(input, ctx);
    },
    ...(returnControl ? { returnControl: true } : {}),
    ...(needsApproval ? { needsApproval } : {}),
    ...(parseOutput ? { parseOutput } : {}),
  });
}

/** Checks the fields every kind of tool shares; throws `ToolDefinitionError`. */
export function checkToolBasics(name: unknown, description: unknown, timeoutMs: unknown): string {
  const checked = checkToolName(name);
  if (typeof description !== 'string' || description.trim() === '') {
    throw new ToolDefinitionError(
      checked,
      `Tool ${checked} needs a non-empty description: the model decides when to call a tool from its description.`,
    );
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
    throw new ToolDefinitionError(
      checked,
      `Tool ${checked}: timeoutMs must be a positive, finite number of milliseconds (got ${String(timeoutMs)}); leave it out for no tool timeout.`,
    );
  }
  return checked;
}

/** Validates raw model input with a zod schema; a failure message is written for the model. */
export async function parseInputWith(
  schema: ZodLikeSchema,
  name: string,
  input: unknown,
): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  const parsed = await parseWith(schema, input);
  return parsed.ok ? parsed : { ok: false, message: invalidInputMessage(name, parsed.issues) };
}

/** Indexes tools by name; throws `ToolDefinitionError` when two tools share a name. */
export function checkToolSet(tools: readonly Tool[]): ReadonlyMap<string, Tool> {
  const byName = new Map<string, Tool>();
  for (const entry of tools) {
    if (typeof entry !== 'object' || entry === null || typeof entry.name !== 'string' || typeof entry.spec !== 'object') {
      throw new ToolDefinitionError('', `Every entry in tools must be created with tool({ ... }); got ${typeof entry}.`);
    }
    if (byName.has(entry.name)) {
      throw new ToolDefinitionError(
        entry.name,
        `Two tools are named ${entry.name}. Bedrock needs tool names to be unique within a request; rename one of them.`,
      );
    }
    byName.set(entry.name, entry);
  }
  return byName;
}

export function checkToolName(name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw new ToolDefinitionError(
      typeof name === 'string' ? name : '',
      'A tool needs a non-empty name of letters, digits and underscores (at most 64 characters), e.g. get_weather.',
    );
  }
  if (name.length > MAX_TOOL_NAME_LENGTH) {
    throw new ToolDefinitionError(
      name,
      `Tool name ${name} is ${name.length} characters long; Bedrock allows at most ${MAX_TOOL_NAME_LENGTH}. Use a shorter name.`,
    );
  }
  const suggestion = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (name.includes('-')) {
    throw new ToolDefinitionError(
      name,
      `Tool name ${name} contains a hyphen. Bedrock accepts it, but Amazon Nova then fails at run time with "The model produced ` +
        `an invalid sequence as part of ToolUse". Use ${suggestion} instead.`,
    );
  }
  if (!TOOL_NAME_PATTERN.test(name)) {
    const bad = [...new Set(name.replace(/[a-zA-Z0-9_]/g, ''))].map((c) => JSON.stringify(c)).join(', ');
    throw new ToolDefinitionError(
      name,
      `Tool name ${JSON.stringify(name)} contains characters Bedrock does not allow (${bad}); use only letters, digits and ` +
        `underscores, e.g. ${suggestion}.`,
    );
  }
  return name;
}

/** Runs a zod 3 or zod 4 schema; a failure lists its issues as `path: message`. */
export async function parseWith(
  schema: ZodLikeSchema,
  value: unknown,
): Promise<{ ok: true; value: unknown } | { ok: false; issues: string[] }> {
  let result: unknown;
  try {
    result = await schema.safeParseAsync(value);
  } catch (err) {
    // safeParse does not catch errors thrown by refinements or transforms; they usually reject the
    // value, so they are reported like any other validation failure.
    return { ok: false, issues: [err instanceof Error ? err.message : String(err)] };
  }
  if (isRecord(result) && result.success === true) return { ok: true, value: result.data };
  return { ok: false, issues: describeIssues(isRecord(result) ? result.error : undefined) };
}

function describeIssues(error: unknown): string[] {
  const issues = isRecord(error) && Array.isArray(error.issues) ? (error.issues as unknown[]) : [];
  const described = issues.filter(isRecord).map((issue) => {
    const path = Array.isArray(issue.path) ? issue.path.map((segment) => String(segment)).join('.') : '';
    const message = typeof issue.message === 'string' && issue.message !== '' ? issue.message : 'invalid value';
    return `${path === '' ? '(root)' : path}: ${message}`;
  });
  if (described.length > 0) return described;
  return [isRecord(error) && typeof error.message === 'string' ? error.message : 'the input does not match the schema'];
}

export function invalidInputMessage(name: string, problems: string[]): string {
  // Issue messages may end with a period of their own; avoid "..".
  const text = problems.map((p) => p.replace(/\.+$/, '')).join('; ');
  return `Invalid input for tool ${name}: ${text}. Call ${name} again with input that matches its schema.`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
