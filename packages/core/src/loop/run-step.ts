import type { ContentBlock, Message, ToolResultBlock } from '@aws-sdk/client-bedrock-runtime';
import type { Conversation } from '../context/conversation.js';
import { driveModelCall, type ModelCallScope } from '../model/drive-model-call.js';
import type { SessionAttributeState } from '../session/session-attributes.js';
import type { SessionLog } from '../session/session-log.js';
import { dispatchTools } from '../tools/dispatch-tools.js';
import { decideStop } from './decide-stop.js';
import type { AgentEvent } from './events.js';
import type { LoopConfig } from './run-loop.js';
import type { RunStopReason, Step, ToolCall } from './run-result.js';
import type { RunTotals } from './run-totals.js';

/** What every step of a run shares. */
export interface RunState {
  config: LoopConfig;
  ids: { runId: string; sessionId: string };
  signal: AbortSignal;
  conversation: Conversation;
  attributes: SessionAttributeState;
  log: SessionLog;
  totals: RunTotals;
  /** Requests made in the current step, by every call of it (the step's own, summaries, retries). */
  attempts: { count: number };
  /** Whether the session is stored (collaborators called by this run keep theirs only if so). */
  keepsSession: boolean;
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
 * and decide whether the run ends.
 */
export async function* runStep(run: RunState, stepIndex: number): AsyncGenerator<AgentEvent, StepOutcome> {
  const { config, ids, signal, conversation } = run;
  const startTime = new Date();
  run.attempts = { count: 0 };
  yield { type: 'step-start', ...ids, stepIndex };
  if ((yield* conversation.choose('step', stepIndex)) === 'aborted') return { stop: 'aborted', text: '' };

  const scope: ModelCallScope = { ...ids, stepIndex, signal, attempts: run.attempts, account: run.totals.account };
  const shrink = async function* () {
    const shrank = yield* conversation.choose('overflow', stepIndex);
    return shrank === true ? conversation.sent : undefined;
  };
  const called = yield* driveModelCall(
    config.transport,
    { ...config.call, purpose: 'step', messages: conversation.sent, ...(conversation.hasPolicy ? { shrink } : {}) },
    scope,
  );
  if (called === 'aborted') return { stop: 'aborted', text: '' };
  if (called.rationale !== undefined) yield { type: 'rationale', ...ids, stepIndex, text: called.rationale };

  const assistant = called.turn.message;
  const add: Message[] = (assistant.content?.length ?? 0) > 0 ? [assistant] : [];
  if (add.length > 0) conversation.push(assistant);
  const uses = (assistant.content ?? []).flatMap((block) => (block.toolUse ? [block.toolUse] : []));
  // Every toolUse is answered, even on the last step or after an abort (with error results),
  // because Bedrock rejects a history holding a toolUse without its toolResult.
  const toolCalls: ToolCall[] =
    uses.length === 0
      ? []
      : yield* dispatchTools(uses, {
          ids: { ...ids, stepIndex },
          tools: config.tools,
          concurrency: config.toolConcurrency,
          defaultTimeoutMs: config.toolTimeoutMs,
          signal,
          context: { ...ids, stepIndex, session: run.attributes.toolSession },
          totals: run.totals,
          keepsSession: run.keepsSession,
        });
  const stop = decideStop({
    aborted: signal.aborted,
    ...run.totals.budget(),
    step: { stopReason: called.turn.stopReason, calledTools: uses.length > 0, index: stepIndex, maxSteps: config.maxSteps },
  });
  if (uses.length > 0) {
    const results: ContentBlock[] = toolCalls.map((call) => ({ toolResult: toToolResult(call) }));
    // Only when the run goes on to its last step: a stored nudge would mislead the session's next run.
    if (stop === undefined && stepIndex + 2 === config.maxSteps) results.push({ text: config.finalStepPrompt });
    const resultMessage: Message = { role: 'user', content: results };
    conversation.push(resultMessage);
    add.push(resultMessage);
  }
  await run.log.save(add, run.attributes, conversation);

  const step: Step = {
    index: stepIndex,
    modelId: config.call.modelId,
    stopReason: called.turn.stopReason,
    message: assistant,
    text: called.text,
    rationale: called.rationale,
    toolCalls,
    usage: called.usage,
    costUsd: called.costUsd,
    latencyMs: called.turn.latencyMs,
    attempts: run.attempts.count,
    startTime,
    endTime: new Date(),
  };
  yield { type: 'step-end', ...ids, stepIndex, step };
  return { step, stop, text: called.text };
}

function toToolResult(call: ToolCall): ToolResultBlock {
  // `status` is optional on the wire and only some models accept it; sending it only for errors keeps a
  // successful result byte-for-byte what a hand-written Converse loop sends.
  return call.status === 'error'
    ? { toolUseId: call.toolUseId, content: call.content, status: 'error' }
    : { toolUseId: call.toolUseId, content: call.content };
}
