import { createHash } from 'node:crypto';
import type { ContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { ToolDefinitionError } from '../errors.js';
import { MAX_SESSION_ID_LENGTH } from '../session/session-store.js';
import { toolContent } from '../tools/tool-output.js';
import { toNovaInputSchema } from '../tools/tool-schema.js';
import { buildTool, checkToolBasics, invalidInputMessage, parseInputWith, type Tool, type ZodLikeSchema } from '../tools/tool.js';
import { CollaboratorPaused } from './collaborator-pause.js';
import type { AgentEvent } from './events.js';
import { parentRuns, type CollaboratorLink } from './parent-run.js';
import type { ResumeAnswer } from './resume-pending.js';
import type { RunResult } from './run-result.js';

export interface AsToolOptions {
  /** The tool name the supervisor's model calls, and the collaborator's name in the trace. */
  name: string;
  /** Tells the supervisor's model what this collaborator does and when to ask it. */
  description: string;
  /**
   * The input schema (zod 3 or zod 4). Default: `{ request: string }`, whose `request` is the
   * collaborator's prompt; with a schema of your own, the parsed input is sent as JSON text.
   */
  input?: ZodLikeSchema;
  /** Bounds the whole collaborator run; default: the supervisor's `toolTimeoutMs`. */
  timeoutMs?: number;
}

/**
 * Runs the collaborator agent, or resumes its paused run with `answers`, yielding its events; the
 * generator's return value is its result.
 */
export type RunCollaborator = (
  begin: { input: string | ContentBlock[]; sessionId?: string } | { answers: readonly ResumeAnswer[]; sessionId: string },
  signal: AbortSignal,
  link: CollaboratorLink,
) => AsyncGenerator<AgentEvent, RunResult>;

const REQUEST_SCHEMA = {
  type: 'object',
  properties: { request: { type: 'string', description: 'What to ask the collaborator, in full: it sees nothing else.' } },
  required: ['request'],
};

/** The text a collaborator is asked: `request` of the default input, else the input as JSON. */
export function collaboratorPrompt(input: unknown): string {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const keys = Object.keys(input);
    const request = (input as { request?: unknown }).request;
    if (keys.length === 1 && typeof request === 'string') return request;
  }
  return JSON.stringify(input) ?? '';
}

/**
 * The collaborator's session: the supervisor's session and the collaborator's name, so a
 * conversation with a collaborator goes on across the supervisor's runs of one session.
 */
export function collaboratorSessionId(supervisorSessionId: string, name: string): string {
  const id = `${supervisorSessionId}:${name}`;
  if (id.length <= MAX_SESSION_ID_LENGTH) return id;
  return `${createHash('sha256').update(supervisorSessionId).digest('hex')}:${name}`;
}

/** `agent.asTool()`: the agent as a tool of another agent. */
export function collaboratorTool(options: AsToolOptions, runCollaborator: RunCollaborator): Tool {
  const { description, input: schema, timeoutMs } = options;
  const name = checkToolBasics(options.name, description, timeoutMs);
  if (schema !== undefined && (typeof schema !== 'object' || schema === null || typeof schema.safeParseAsync !== 'function')) {
    throw new ToolDefinitionError(
      name,
      `Collaborator ${name}: input must be a zod schema (z.object({ ... })), or left out for { request }.`,
    );
  }
  // Calls of one collaborator session run one after another: two at once would append to the same
  // session from two runs, and the second would fail with SessionConflictError.
  const queues = new Map<string, Promise<unknown>>();
  const serialised = async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const before = queues.get(key) ?? Promise.resolve();
    const mine = before.then(work, work);
    const settled = mine.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return mine;
  };

  return buildTool({
    name,
    description,
    inputSchema: schema ? toNovaInputSchema(schema, name) : REQUEST_SCHEMA,
    timeoutMs,
    traceAs: { type: 'AGENT_COLLABORATOR', collaboratorName: name },
    parseInput: schema
      ? (input) => parseInputWith(schema, name, input)
      : async (input) =>
          typeof input === 'object' && input !== null && typeof (input as { request?: unknown }).request === 'string'
            ? { ok: true, value: { request: (input as { request: string }).request } }
            : { ok: false, message: invalidInputMessage(name, ['request: expected a string']) },
    execute: async (input, ctx) => {
      const parent = parentRuns.get(ctx);
      const resume = parent?.resume;
      const sessionId = resume?.wait.sessionId ?? collaboratorSessionId(ctx.sessionId, name);
      const keep = parent?.keepsSession ?? true;
      return await serialised(sessionId, async () => {
        // An earlier call of this turn paused the session, and the supervisor's pause will wait on
        // it: this call must not start a run there (which would abandon that pause).
        if (!resume && parent?.pausedSessions.has(sessionId)) return busy(name);
        const events = runCollaborator(
          resume ? { answers: resume.answers, sessionId } : { input: collaboratorPrompt(input), ...(keep ? { sessionId } : {}) },
          ctx.signal,
          { parent, collaboratorOf: parent ? { parentRunId: parent.runId, collaboratorName: name } : undefined },
        );
        let invocationId = '';
        for (;;) {
          const next = await events.next();
          if (next.done) {
            const result = next.value;
            if (result.stopReason !== 'return_control' && result.stopReason !== 'needs_approval') return answerOf(name, result);
            if (!parent) return unresumable(name);
            parent.pausedSessions.add(sessionId);
            return new CollaboratorPaused(name, result.sessionId, invocationId, result.pending);
          }
          const event = next.value;
          if (event.type === 'pause') invocationId = event.invocationId;
          if (event.type === 'trace' && parent) {
            const { runId, sessionId: supervisorSession, stepIndex } = parent;
            parent.emit({
              type: 'collaborator-trace',
              runId,
              sessionId: supervisorSession,
              stepIndex,
              toolUseId: ctx.toolUseId,
              collaboratorName: name,
              part: event.part,
            });
          }
        }
      });
    },
  });
}

function busy(name: string): unknown {
  return toolContent(
    [{ text: `The ${name} collaborator is waiting on the user for an earlier request of this turn. Ask it again once that is answered.` }],
    { status: 'error' },
  );
}

/** A pause nobody can resume: the tool was called outside an agent's run. */
function unresumable(name: string): unknown {
  return toolContent([{ text: `The ${name} collaborator paused for the user, which its caller cannot do.` }], { status: 'error' });
}

function answerOf(name: string, result: RunResult): unknown {
  const text = result.text || '(the collaborator gave no answer)';
  if (result.stopReason === 'budget') {
    return toolContent(
      [{ text: `The ${name} collaborator stopped because the cost budget (maxCostUsd) was reached. What it had so far: ${text}` }],
      { status: 'error' },
    );
  }
  if (result.stopReason === 'aborted') {
    return toolContent([{ text: `The ${name} collaborator was cancelled before it answered.` }], { status: 'error' });
  }
  return text;
}
