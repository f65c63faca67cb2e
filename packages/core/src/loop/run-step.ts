import type { ContentBlock, Message, ToolResultBlock, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import type { Conversation } from '../context/conversation.js';
import { driveModelCall, type DeltaEventType, type ModelCallRequest, type ModelCallScope } from '../model/drive-model-call.js';
import type { SessionAttributeState } from '../session/session-attributes.js';
import type { SessionLog } from '../session/session-log.js';
import type { PendingCall, PendingState } from '../session/session-store.js';
import { dispatchTools } from '../tools/dispatch-tools.js';
import { mayPause, planCalls } from '../tools/plan-calls.js';
import { decideStop } from './decide-stop.js';
import type { Emit } from './events.js';
import { OutputValidationError } from './output-error.js';
import type { LoopConfig } from './run-loop.js';
import { tailCheckpoints } from '../model/prompt-cache.js';
import type { PausedCall } from './collaborator-pause.js';
import { pausedBy, pauseState } from './pause-state.js';
import type { RunStopReason, Step, ToolCall } from './run-result.js';
import type { RunTotals } from './run-totals.js';
import { ASK_FOR_OUTPUT, checkAnswer, OUTPUT_TOOL_NAME, type OutputSpec } from './typed-output.js';

/** The step's model call, without its messages. */
export type StepCall = Omit<ModelCallRequest, 'purpose' | 'messages' | 'shrink' | 'cacheAfter'>;

/** A run's typed output, while it has none. */
export interface OutputState {
  spec: OutputSpec;
  /** The calls: the usual one (the forced tool offered), and the one that forces it. */
  call: StepCall;
  forced: StepCall;
  /** Whether the next step must answer through the forced tool. */
  force: boolean;
  /** Answers the schema rejected so far. */
  failures: number;
}

/** What every step of a run shares. */
export interface RunState {
  config: LoopConfig;
  /** This run's step call: the agent's or its cascade route's (with a toolConfig kept for a typed-output history). */
  call: StepCall;
  ids: { runId: string; sessionId: string };
  signal: AbortSignal;
  conversation: Conversation;
  attributes: SessionAttributeState;
  log: SessionLog;
  totals: RunTotals;
  /** Requests made in the current step, by every call of it (the step's own, summaries, retries). */
  attempts: { count: number };
  output: OutputState | undefined;
  /** The cascade route this run's steps use, kept with a pause so a resume stays on it. */
  route: string | undefined;
  /** Input tokens (cached ones included) of the previous step's request: for the moving cachePoint. */
  previousPromptTokens: number;
  /** cachePoints in the system blocks and the prompt, which count towards the checkpoint limit. */
  fixedCheckpoints: number;
  /** The message after which the previous step sent its moving cachePoint. */
  previousCacheMark: Message | undefined;
  /** Whether the session is stored (collaborators called by this run keep theirs only if so). */
  keepsSession: boolean;
  /** Whether anyone hears the step's delta events (see `ModelCallScope.hears`). */
  hears: ((type: DeltaEventType) => boolean) | undefined;
  /** Where the run's events go, as they happen. */
  emit: Emit;
  /** `stream()`'s: resolves once its consumer took every event so far (see `AsyncQueue.taken`). */
  handedOut: (() => Promise<void>) | undefined;
}

export interface StepOutcome {
  /** Absent when the step's model call was aborted (nothing of it is kept). */
  step?: Step;
  stop: RunStopReason | undefined;
  text: string;
}

/**
 * One step: choose what to send, call the model, run the tools it asked for, store the step in one
 * append (assistant message and tool results together, so the stored history is always valid),
 * and decide whether the run ends. A step whose calls wait on the application stores, in that same
 * append, the pending state instead of the assistant message (see `PendingState`).
 */
export async function runStep(run: RunState, stepIndex: number): Promise<StepOutcome> {
  const { config, ids, signal, conversation, output, emit } = run;
  const startTime = new Date();
  run.attempts = { count: 0 };
  const { runId, sessionId } = ids;
  // Fields written out rather than spread from `ids`: an object spread costs several times more, on every event.
  emit({ type: 'step-start', runId, sessionId, stepIndex });
  // Without a context policy there is nothing to choose: no async work for it.
  if (conversation.hasPolicy && (await conversation.choose('step', stepIndex)) === 'aborted') return { stop: 'aborted', text: '' };

  const scope: ModelCallScope = {
    runId,
    sessionId,
    stepIndex,
    signal,
    attempts: run.attempts,
    account: run.totals.account,
    hears: run.hears,
    emit,
    handedOut: run.handedOut,
  };
  const call = output ? (output.force ? output.forced : output.call) : run.call;
  const checkpoints = tailCheckpoints(config.promptCache, call.model, {
    index: stepIndex,
    previousPromptTokens: run.previousPromptTokens,
    fixedCheckpoints: run.fixedCheckpoints,
  });
  const last = conversation.sent.at(-1);
  const cacheAfter =
    checkpoints === 0 || !last ? undefined : checkpoints === 2 && run.previousCacheMark ? [last, run.previousCacheMark] : [last];
  run.previousCacheMark = cacheAfter ? last : undefined;
  // Built field by field: spreading `call` and optional parts into one literal made a slow copy every step.
  const request: ModelCallRequest = {
    purpose: 'step',
    modelId: call.modelId,
    model: call.model,
    price: call.price,
    messages: conversation.sent,
    base: call.base,
    inference: call.inference,
    toolUseRepairs: call.toolUseRepairs,
  };
  if (conversation.hasPolicy) {
    request.shrink = async () => {
      const shrank = await conversation.choose('overflow', stepIndex);
      return shrank === true ? conversation.sent : undefined;
    };
  }
  if (cacheAfter) request.cacheAfter = cacheAfter;
  const called = await driveModelCall(config.transport, request, scope);
  if (called === 'aborted') return { stop: 'aborted', text: '' };
  const used = called.turn.usage;
  run.previousPromptTokens = used.inputTokens + used.cacheReadInputTokens + used.cacheWriteInputTokens;
  if (called.rationale !== undefined) emit({ type: 'rationale', runId, sessionId, stepIndex, text: called.rationale });

  const assistant = called.turn.message;
  if ((assistant.content?.length ?? 0) > 0) conversation.push(assistant);
  const uses = (assistant.content ?? []).flatMap((block) => (block.toolUse ? [block.toolUse] : []));
  const answers = output ? uses.filter((use) => use.name === OUTPUT_TOOL_NAME) : [];
  const toolUses = answers.length > 0 ? uses.filter((use) => use.name !== OUTPUT_TOOL_NAME) : uses;

  // Typed output: the first answer counts; another in the same turn is told so.
  const answer = output && answers[0] ? await checkAnswer(output.spec, answers[0]) : undefined;
  const answerResults: ToolResultBlock[] = answer ? [answer.result, ...answers.slice(1).map(extraAnswer)] : [];

  const toolContext = { runId, sessionId, stepIndex, session: run.attributes.toolSession };
  // Only calls of a tool that returns control or needs approval can pause: the others run, with no async planning.
  const plan = mayPause(toolUses, config.tools)
    ? await planCalls(toolUses, config.tools, { ...toolContext, signal })
    : { run: toolUses, pending: [] };
  // Every toolUse is answered, even on the last step or after an abort (with error results),
  // because Bedrock rejects a history holding a toolUse without its toolResult.
  const dispatched =
    plan.run.length === 0
      ? { calls: [], paused: [] }
      : await dispatchTools(plan.run, {
          ids: { runId, sessionId, stepIndex },
          tools: config.tools,
          concurrency: config.toolConcurrency,
          defaultTimeoutMs: config.toolTimeoutMs,
          signal,
          context: toolContext,
          totals: run.totals,
          keepsSession: run.keepsSession,
          emit,
          handedOut: run.handedOut,
        });
  const ran: ToolCall[] = dispatched.calls;
  // Calls of collaborators whose runs paused wait on the application too.
  const paused =
    plan.pending.length > 0 || dispatched.paused.length > 0
      ? pausedBy([...plan.pending, ...dispatched.paused.flatMap((p) => p.calls)])
      : undefined;
  const accepted = answer?.ok === true;
  const stop = decideStop({
    aborted: signal.aborted,
    ...run.totals.budget(),
    step: {
      stopReason: called.turn.stopReason,
      calledTools: (toolUses.length > 0 || answer?.ok === false) && !accepted,
      index: stepIndex,
      maxSteps: config.maxSteps,
      ...(paused ? { paused } : {}),
      ...(output && !accepted ? { wantsOutput: true } : {}),
    },
  });

  const add: Message[] = [];
  let pendingCalls: PendingCall[] | undefined;
  let pending: PendingState | undefined;
  let toolCalls = ran;
  if (stop === 'return_control' || stop === 'needs_approval') {
    // The assistant message waits in the pending state: stored history must not hold an unanswered toolUse.
    const point = { runId: ids.runId, stepIndex, message: assistant, results: ran.map(toToolResult), route: run.route };
    pending = pauseState(point, plan.pending, dispatched.paused);
    pendingCalls = pending.calls;
    emit({ type: 'pause', runId, sessionId, stepIndex, invocationId: pending.invocationId, stopReason: stop, calls: pendingCalls });
  } else {
    if (assistant.content?.length) add.push(assistant);
    // Not paused (an abort came first): the calls that would have paused are answered as cancelled.
    // Plain loops, not spreads of arrays that are sometimes empty literals: those change the arrays'
    // element kinds from step to step, and the optimised step was thrown away and recompiled each time.
    if (plan.pending.length > 0 || dispatched.paused.length > 0) {
      const cancelled = [...plan.pending.map((c) => cancelledCall(c)), ...dispatched.paused.map(cancelledWait)];
      toolCalls = inOrder(toolUses, [...ran, ...cancelled]);
    }
    const results: ContentBlock[] = [];
    for (const toolResult of answerResults) results.push({ toolResult });
    for (const toolCall of toolCalls) results.push({ toolResult: toToolResult(toolCall) });
    let next: Message | undefined;
    if (results.length > 0) {
      // Only when the run goes on to its last step: a stored nudge would mislead the session's next run.
      if (stop === undefined && stepIndex + 2 === config.maxSteps) results.push({ text: config.finalStepPrompt });
      next = { role: 'user', content: results };
    } else if (stop === undefined && output) {
      // A text answer where typed output is wanted: the next step forces it, as a new user turn.
      next = ASK_FOR_OUTPUT;
    }
    if (next) {
      conversation.push(next);
      add.push(next);
    }
  }
  // A forced call answered in text (the model ignored toolChoice) is a failed answer too.
  const failed =
    answer?.ok === false
      ? { input: answer.input, issues: answer.issues }
      : output?.force && !answer && toolUses.length === 0
        ? { input: called.text, issues: [`the answer was text, not a call of ${OUTPUT_TOOL_NAME}`] }
        : undefined;
  if (output) {
    if (failed) output.failures++;
    output.force = stop === undefined;
  }
  if (run.keepsSession) await run.log.save(add, run.attributes, conversation, pending);
  if (failed && output && output.failures > output.spec.maxRetries) {
    throw new OutputValidationError(output.failures, failed.input, failed.issues);
  }

  const text = accepted ? JSON.stringify(answer.value) : called.text;
  const step: Step = {
    index: stepIndex,
    modelId: call.modelId,
    stopReason: called.turn.stopReason,
    message: assistant,
    text,
    rationale: called.rationale,
    toolCalls,
    ...(pendingCalls ? { pending: pendingCalls } : {}),
    ...(accepted ? { output: answer.value } : {}),
    usage: called.usage,
    costUsd: called.costUsd,
    latencyMs: called.turn.latencyMs,
    attempts: run.attempts.count,
    startTime,
    endTime: new Date(),
  };
  emit({ type: 'step-end', runId, sessionId, stepIndex, step });
  return { step, stop, text };
}

export function toToolResult(call: ToolCall): ToolResultBlock {
  // `status` is optional on the wire and only some models accept it; sending it only for errors keeps a
  // successful result byte-for-byte what a hand-written Converse loop sends.
  return call.status === 'error'
    ? { toolUseId: call.toolUseId, content: call.content, status: 'error' }
    : { toolUseId: call.toolUseId, content: call.content };
}

/** A call answered with an error without running: `message` is what the model reads. */
export function unrunCall(c: Pick<PendingCall, 'toolUseId' | 'name' | 'input'>, message: string): ToolCall {
  return {
    toolUseId: c.toolUseId,
    name: c.name,
    input: c.input,
    status: 'error',
    content: [{ text: message }],
    error: message,
    durationMs: 0,
  };
}

function cancelledCall(c: Omit<PendingCall, 'invocationId'>): ToolCall {
  return unrunCall(c, `Not run: the request was cancelled before ${c.name} could be handed over.`);
}

/** A collaborator call whose run paused, in a step that ends otherwise (an abort came first). */
function cancelledWait({ wait, input }: PausedCall): ToolCall {
  return unrunCall(
    { toolUseId: wait.toolUseId, name: wait.name, input },
    `Cancelled: the request was aborted while ${wait.name} waited on the user.`,
  );
}

/** Calls in the order the model asked for them. */
function inOrder(uses: readonly ToolUseBlock[], calls: ToolCall[]): ToolCall[] {
  if (calls.length < 2) return calls;
  const byId = new Map(calls.map((c) => [c.toolUseId, c]));
  return uses.flatMap((use) => {
    const found = byId.get(use.toolUseId ?? '');
    return found ? [found] : [];
  });
}

function extraAnswer(use: ToolUseBlock): ToolResultBlock {
  return { toolUseId: use.toolUseId ?? '', content: [{ text: 'Ignored: only the first answer of a turn counts.' }], status: 'error' };
}
