import type { ContentBlock, Message, ToolResultBlock, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { AgentConfigError, isNovaloopError } from '../errors.js';
import type { PendingCall, PendingState, SessionState } from '../session/session-store.js';
import { dispatchTools, type DispatchOptions, type Dispatched } from '../tools/dispatch-tools.js';
import type { Tool } from '../tools/tool.js';
import { toToolResultContent } from '../tools/tool-output.js';
import { collaboratorAgents, type CollaboratorResume } from './collaborator-pause.js';
import { NothingPendingError, ResumeConflictError, ResumeInputError } from './pause-errors.js';
import type { ToolCall } from './run-result.js';
import { toToolResult, unrunCall } from './run-step.js';

/**
 * The application's answer to one paused call, by `toolUseId`. For a tool that returns control:
 * `result` (what the tool would have returned) or `error` (a failure the model reads). For a call
 * that needs approval: `approve: true` (the tool runs), or `approve: false` with an optional
 * `reason` the model reads. `invocationId`, if given, must be the pause's: a stale answer is refused.
 */
export type ResumeAnswer =
  | { toolUseId: string; invocationId?: string; result: unknown }
  | { toolUseId: string; invocationId?: string; error: string }
  | { toolUseId: string; invocationId?: string; approve: true }
  | { toolUseId: string; invocationId?: string; approve: false; reason?: string };

/** The pause and what each of its calls becomes, checked before anything changes. */
export interface CheckedResume {
  pending: PendingState;
  /** Calls answered without running anything (results, errors, denials). */
  answered: ToolCall[];
  /** Approved calls: the agent runs them now. */
  approved: ToolUseBlock[];
  /** Calls waiting on paused collaborators: each collaborator is resumed with the answers to its calls. */
  resumed: CollaboratorResume[];
}

/**
 * Checks a resume against the stored pause: every paused call answered exactly once, with the kind
 * of answer it needs and, for a result, one the tool's output schema accepts. A collaborator's calls
 * are checked by the collaborator too, against its own stored pause. Throws the typed error for the
 * first problem; nothing is written before this passes.
 */
export async function checkResume(
  sessionId: string,
  loaded: SessionState | undefined,
  answers: unknown,
  tools: ReadonlyMap<string, Tool>,
): Promise<CheckedResume> {
  if (!loaded) throw new NothingPendingError(sessionId, 'the session is not in the store (never stored, deleted, or expired by its TTL)');
  const pending = loaded.pending;
  if (!pending) throw new NothingPendingError(sessionId, 'its last run was not paused, or it was resumed already');
  if (pending.resumedBy !== undefined) {
    throw new ResumeConflictError(sessionId, pending.invocationId, `is being resumed by run ${pending.resumedBy}`);
  }
  if (!Array.isArray(answers)) {
    throw new ResumeInputError('RESUME_INVALID_ANSWER', sessionId, '', 'results must be an array of { toolUseId, ... } answers');
  }
  const calls = new Map(pending.calls.map((call) => [call.toolUseId, call]));
  // A collaborator's calls carry the collaborator's invocation: an answer may name either.
  const invocations = new Set([pending.invocationId, ...pending.calls.map((call) => call.invocationId)]);
  const given = new Map<string, ResumeAnswer>();
  for (const raw of answers as unknown[]) {
    const answer = raw as Partial<ResumeAnswer> & Record<string, unknown>;
    const toolUseId = typeof answer?.toolUseId === 'string' ? answer.toolUseId : '';
    if (typeof answer.invocationId === 'string' && !invocations.has(answer.invocationId)) {
      throw new NothingPendingError(
        sessionId,
        `invocation ${answer.invocationId} is no longer pending (it was resumed already; the session now waits on ${pending.invocationId})`,
      );
    }
    const call = calls.get(toolUseId);
    if (!call) {
      const known = pending.calls.map((c) => c.toolUseId).join(', ');
      throw new ResumeInputError(
        'RESUME_UNKNOWN_CALL',
        sessionId,
        toolUseId,
        `no paused call has toolUseId ${JSON.stringify(toolUseId)} (paused: ${known})`,
      );
    }
    if (given.has(toolUseId)) {
      throw new ResumeInputError('RESUME_INVALID_ANSWER', sessionId, toolUseId, `${toolUseId} is answered twice`);
    }
    if (typeof answer.invocationId === 'string' && answer.invocationId !== call.invocationId) {
      throw new ResumeInputError(
        'RESUME_INVALID_ANSWER',
        sessionId,
        toolUseId,
        `${toolUseId} belongs to invocation ${call.invocationId}, not ${answer.invocationId}`,
      );
    }
    checkKind(sessionId, call, answer);
    given.set(toolUseId, answer as ResumeAnswer);
  }
  const answered: ToolCall[] = [];
  const approved: ToolUseBlock[] = [];
  const uses = new Map(
    (pending.message.content ?? []).flatMap((b) => (b.toolUse ? [[b.toolUse.toolUseId ?? '', b.toolUse] as const] : [])),
  );
  for (const call of pending.calls) {
    const answer = given.get(call.toolUseId);
    if (!answer) {
      throw new ResumeInputError(
        'RESUME_MISSING_RESULT',
        sessionId,
        call.toolUseId,
        `${call.name} (${call.toolUseId}) has no answer; every paused call needs one`,
      );
    }
    // A collaborator's call is the collaborator's to check and to answer (below).
    if (call.collaborator) continue;
    const tool = agentTool(sessionId, tools, call.name);
    if ('approve' in answer) {
      if (answer.approve)
        approved.push(uses.get(call.toolUseId) ?? ({ toolUseId: call.toolUseId, name: call.name, input: call.input } as ToolUseBlock));
      else answered.push(unrunCall(call, denial(call.name, answer.reason)));
    } else if ('error' in answer) {
      answered.push(unrunCall(call, answer.error));
    } else {
      answered.push(await resultCall(sessionId, call, tool, answer.result));
    }
  }
  const resumed: CollaboratorResume[] = [];
  for (const wait of pending.collaborators ?? []) {
    const collaborator = collaboratorAgents.get(agentTool(sessionId, tools, wait.name));
    if (!collaborator) {
      throw new AgentConfigError(
        `Session ${sessionId} paused on collaborator ${wait.name}, but this agent's ${wait.name} tool is not an agent.asTool(). Resume with an agent made with the same tools.`,
      );
    }
    const waitAnswers = wait.calls.flatMap((id) => given.get(id) ?? []);
    await collaborator.checkResume(wait, waitAnswers);
    const use = uses.get(wait.toolUseId) ?? ({ toolUseId: wait.toolUseId, name: wait.name, input: {} } as ToolUseBlock);
    resumed.push({ use, wait, answers: waitAnswers });
  }
  return { pending, answered, approved, resumed };
}

function agentTool(sessionId: string, tools: ReadonlyMap<string, Tool>, name: string): Tool {
  const tool = tools.get(name);
  if (!tool) {
    throw new AgentConfigError(
      `Session ${sessionId} paused on tool ${name}, which this agent does not have. Resume with an agent made with the same tools.`,
    );
  }
  return tool;
}

function checkKind(sessionId: string, call: PendingCall, answer: Record<string, unknown>): void {
  const shapes = ['result', 'error', 'approve'].filter((key) => key in answer);
  const wanted = call.kind === 'approval' ? 'approve' : 'result or error';
  const ok =
    shapes.length === 1 &&
    (call.kind === 'approval'
      ? typeof answer.approve === 'boolean' && (answer.reason === undefined || typeof answer.reason === 'string')
      : shapes[0] !== 'approve' && (shapes[0] !== 'error' || typeof answer.error === 'string'));
  if (!ok) {
    throw new ResumeInputError(
      'RESUME_INVALID_ANSWER',
      sessionId,
      call.toolUseId,
      `${call.name} (${call.toolUseId}) ${call.kind === 'approval' ? 'waits for approval' : 'returned control'}; answer it with ${wanted === 'approve' ? '{ approve: true } or { approve: false, reason }' : '{ result } or { error: string }'}`,
    );
  }
}

async function resultCall(sessionId: string, call: PendingCall, tool: Tool, result: unknown): Promise<ToolCall> {
  let value = result;
  if (tool.parseOutput) {
    const parsed = await tool.parseOutput(result);
    if (!parsed.ok) {
      throw new ResumeInputError(
        'RESUME_OUTPUT_INVALID',
        sessionId,
        call.toolUseId,
        `the result for ${call.name} fails its output schema: ${parsed.message}`,
      );
    }
    value = parsed.value;
  }
  try {
    return {
      toolUseId: call.toolUseId,
      name: call.name,
      input: call.input,
      status: 'success',
      content: toToolResultContent(value),
      durationMs: 0,
    };
  } catch (error) {
    const detail = isNovaloopError(error) ? error.message : String(error);
    throw new ResumeInputError('RESUME_INVALID_ANSWER', sessionId, call.toolUseId, `the result for ${call.name} cannot be sent: ${detail}`);
  }
}

function denial(name: string, reason: string | undefined): string {
  return `The user denied this call of ${name}${reason ? `: ${reason}` : ''}. It was not run; do not call it again unless the user asks.`;
}

/**
 * Runs the approved calls, resumes the collaborators waited on, and reports every answered call: the
 * resumed run's tool events. A collaborator that pauses again comes back in `paused`.
 */
export async function answerCalls(checked: CheckedResume, dispatch: DispatchOptions): Promise<Dispatched> {
  const uses = [...checked.approved, ...checked.resumed.map((resume) => resume.use)];
  const resumes = new Map(checked.resumed.map((resume) => [resume.wait.toolUseId, resume]));
  const ran = uses.length > 0 ? await dispatchTools(uses, { ...dispatch, resumes }) : { calls: [], paused: [] };
  for (const call of checked.answered) dispatch.emit({ type: 'tool-end', ...dispatch.ids, call });
  return { calls: [...ran.calls, ...checked.answered], paused: ran.paused };
}

/**
 * A new run on a paused session with `abandonPending`: every paused call of the run's own is
 * answered with an error, a call waiting on a collaborator too. (The collaborator's session keeps its
 * pause until the collaborator is next called, which abandons it the same way.)
 */
export function abandonCalls(pending: PendingState): ToolCall[] {
  const inputs = new Map((pending.message.content ?? []).flatMap((b) => (b.toolUse ? [[b.toolUse.toolUseId ?? '', b.toolUse.input]] : [])));
  const own = pending.calls.filter((call) => !call.collaborator);
  const waiting = (pending.collaborators ?? []).map((wait) => ({
    toolUseId: wait.toolUseId,
    name: wait.name,
    input: inputs.get(wait.toolUseId),
  }));
  return [...own, ...waiting].map((call) =>
    unrunCall(call, `Not run: ${call.name} was abandoned (the user sent a new request instead of answering it).`),
  );
}

/** The user message that answers every toolUse of the paused message, in the model's order. */
export function resultsMessage(pending: PendingState, calls: readonly ToolCall[], nudge: string | undefined): Message {
  const results = new Map<string, ToolResultBlock>(pending.results.map((r) => [r.toolUseId ?? '', r]));
  for (const call of calls) results.set(call.toolUseId, toToolResult(call));
  const content: ContentBlock[] = (pending.message.content ?? []).flatMap((block) => {
    const result = block.toolUse ? results.get(block.toolUse.toolUseId ?? '') : undefined;
    return result ? [{ toolResult: result }] : [];
  });
  if (nudge) content.push({ text: nudge });
  return { role: 'user', content };
}
