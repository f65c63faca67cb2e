import type { ContentBlock, Message, ToolResultBlock, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { callModel, completeText, type ModelCallConfig, type StepTurn } from './call-model.js';
import { isCutPoint, windowMessages, type ContextPolicy, type ContextSummary, type ContextWindow } from './context.js';
import { AgentConfigError, ContextWindowExceededError, NovaloopError, SessionStoreError } from './errors.js';
import type { AgentEvent } from './events.js';
import { continueConversation, storedEnds, userMessage } from './history.js';
import type { InferenceSettings } from './inference.js';
import type { ModelPrice } from './model-catalog.js';
import { AsyncQueue } from './async-queue.js';
import { dispatchTools } from './dispatch-tools.js';
import type { RunResult, RunStopReason } from './run-result.js';
import type { JsonValue, SessionAttributes, SessionStore, SessionSummary, SessionUpdate } from './session-store.js';
import type { Step, ToolCall } from './step.js';
import type { Tool, ToolSession } from './tool.js';
import { TraceRecorder, type TracePart } from './trace.js';
import { modelInfo } from './model-catalog.js';
import { addUsage, costOf, emptyUsage, type Usage } from './usage.js';

export interface LoopConfig extends ModelCallConfig {
  price: ModelPrice | undefined;
  tools: ReadonlyMap<string, Tool>;
  inference: InferenceSettings;
  maxSteps: number;
  maxCostUsd: number | undefined;
  toolConcurrency: number;
  toolTimeoutMs: number;
  memory: SessionStore;
  /** Chooses what each model call sends; without one, the whole conversation is sent. */
  context: ContextPolicy | undefined;
  /** Estimated tokens of the system prompt and tool specs, for the context policy. */
  fixedTokens: number;
  /** Added to the tool results before the last allowed step, so the model answers instead of calling tools. */
  finalStepPrompt: string;
}

export interface LoopRun {
  runId: string;
  sessionId: string;
  input: string | ContentBlock[];
  signal: AbortSignal;
  /** Merged into the session's attributes and saved with the run's first step. */
  sessionAttributes: SessionAttributes | undefined;
}

const FINISHING_STOPS: Record<string, RunStopReason> = {
  end_turn: 'end_turn',
  stop_sequence: 'stop_sequence',
  max_tokens: 'max_tokens',
  guardrail_intervened: 'guardrail_intervened',
  content_filtered: 'content_filtered',
};

/**
 * The agent loop — the only one: model call, tool dispatch, repeat, until the model answers or a
 * limit ends the run. It yields every event; `Agent.run` drains it, `Agent.stream` hands it out.
 * Each completed step is appended to the session in one write (assistant message and tool results
 * together), so the stored history is valid for Bedrock whenever the run stops.
 */
export async function* runLoop(config: LoopConfig, run: LoopRun): AsyncGenerator<AgentEvent, RunResult> {
  const { runId, sessionId, signal } = run;
  const ids = { runId, sessionId };
  const prompt = userMessage(run.input);
  yield { type: 'run-start', ...ids, input: prompt };

  const recorder = new TraceRecorder(runId, sessionId);
  const traced = (part: TracePart): AgentEvent => ({ type: 'trace', ...ids, part });
  const steps: Step[] = [];
  const usage = emptyUsage();
  let costUsd: number | undefined = config.price ? 0 : undefined;
  let stopReason: RunStopReason | undefined;
  let text = '';
  let stepIndex = 0;
  let version = 0;
  let messages: Message[] = [];
  let unsaved: Message[] = [prompt];

  let attributes: SessionAttributes = {};
  let attributesChanged = false;
  const session: ToolSession = {
    get attributes() {
      return attributes;
    },
    set(key, value) {
      if (value !== undefined && !isJson(value)) {
        throw new TypeError(`Session attribute "${key}" must be a JSON value (string, number, boolean, null, array or plain object).`);
      }
      // Copy on write: a tool holding the old object never sees it change under it.
      const next = { ...attributes };
      if (value === undefined) delete next[key];
      else next[key] = value;
      attributes = next;
      attributesChanged = true;
    },
  };

  // Context window state, only used with a policy.
  const policy = config.context;
  let ends: number[] = [];
  let storedSummary: SessionSummary | undefined;
  let summary: ContextSummary | undefined;
  let window: ContextWindow | undefined;
  let sent: Message[] = [];
  let summaryChanged = false;

  const pushMessage = (message: Message) => {
    messages.push(message);
    if (sent !== messages) sent.push(message);
    if (policy) ends.push((ends.at(-1) ?? 0) + 1);
  };

  const save = async (...add: Message[]) => {
    unsaved.push(...add);
    const update: SessionUpdate = {};
    if (attributesChanged) update.attributes = attributes;
    if (summaryChanged && summary) update.summary = { messageCount: ends[summary.upTo - 1] ?? 0, text: summary.text };
    const hasUpdate = update.attributes !== undefined || update.summary !== undefined;
    version = await (
      hasUpdate ? config.memory.append(sessionId, unsaved, version, update) : config.memory.append(sessionId, unsaved, version)
    ).catch((error: unknown) => {
      throw error instanceof NovaloopError ? error : new SessionStoreError(sessionId, 'append', error);
    });
    unsaved = [];
    attributesChanged = false;
    if (update.summary) storedSummary = update.summary;
    summaryChanged = false;
  };

  const addCost = (add: Usage, modelPrice: typeof config.price) => {
    addUsage(usage, add);
    const cost = costOf(add, modelPrice);
    if (costUsd !== undefined) costUsd = cost === undefined ? undefined : costUsd + cost;
  };

  /**
   * Asks the policy what to send and rebuilds `sent` only when the window moved. Returns whether
   * it sends less than before (what an overflow retry needs).
   */
  async function* chooseWindow(reason: 'step' | 'overflow'): AsyncGenerator<AgentEvent, boolean> {
    if (!policy) return false;
    const summaryUsage = emptyUsage();
    const next = await policy.select({
      sessionId,
      messages,
      summary,
      fixedTokens: config.fixedTokens,
      reason,
      previous: window,
      signal,
      complete: async (request) => {
        const answer = await completeText(config, request, signal);
        addUsage(summaryUsage, answer.usage);
        addCost(answer.usage, modelInfo(request.modelId).price);
        return answer.text;
      },
    });
    if (!Number.isInteger(next.start) || next.start < 0 || next.start >= messages.length || !isCutPoint(messages, next.start)) {
      throw new AgentConfigError(
        `The context policy chose to start at message ${next.start}, which is not a user message without toolResults; ` +
          'fix the policy (see isCutPoint).',
      );
    }
    const newSummary = next.summary;
    const sameSummary = newSummary?.text === summary?.text && newSummary?.upTo === summary?.upTo;
    const moved = !window || next.start !== window.start || !sameSummary;
    const shrank = window !== undefined && (next.start > window.start || (newSummary?.upTo ?? 0) > (summary?.upTo ?? 0));
    if (!sameSummary) {
      summary = newSummary;
      summaryChanged =
        newSummary !== undefined && (newSummary.text !== storedSummary?.text || ends[newSummary.upTo - 1] !== storedSummary?.messageCount);
    }
    window = next;
    if (moved) {
      sent = windowMessages(messages, summary ? { start: next.start, summary } : { start: next.start });
      yield {
        type: 'context',
        ...ids,
        stepIndex,
        reason,
        firstMessage: next.start,
        messagesSent: sent.length,
        summaryUpTo: summary?.upTo,
        summaryUsage: summaryUsage.totalTokens > 0 ? summaryUsage : undefined,
      };
    }
    return shrank;
  }

  try {
    const loaded = await config.memory.load(sessionId).catch((error: unknown) => {
      throw error instanceof NovaloopError ? error : new SessionStoreError(sessionId, 'load', error);
    });
    version = loaded?.version ?? 0;
    const history = loaded?.messages ?? [];
    messages = continueConversation(history, prompt);
    sent = messages;
    if (loaded?.attributes) attributes = loaded.attributes;
    if (run.sessionAttributes && Object.keys(run.sessionAttributes).length > 0) {
      attributes = { ...attributes, ...run.sessionAttributes };
      attributesChanged = true;
    }
    if (policy) {
      ends = storedEnds(history);
      storedSummary = loaded?.summary;
      if (storedSummary) {
        const upTo = ends.indexOf(storedSummary.messageCount) + 1;
        if (upTo > 0) summary = { text: storedSummary.text, upTo };
      }
    }
    recorder.track(messages);
    for (; stopReason === undefined; stepIndex++) {
      if (signal.aborted) {
        stopReason = 'aborted';
        break;
      }
      const startTime = new Date();
      const isLastStep = stepIndex + 1 >= config.maxSteps;
      yield { type: 'step-start', ...ids, stepIndex };
      yield* chooseWindow('step');

      const overflowUsage = emptyUsage();
      let trimmedForOverflow = false;
      let called!: StepTurn | 'aborted';
      for (;;) {
        let overflow: ContextWindowExceededError | undefined;
        try {
          called = yield* callModel(config, {
            ...ids,
            stepIndex,
            messages: sent,
            window: { start: window?.start ?? 0, summarized: summary !== undefined && sent !== messages },
            inference: config.inference,
            recorder,
            signal,
          });
        } catch (error) {
          if (!(error instanceof ContextWindowExceededError)) throw error;
          overflow = error;
        }
        if (!overflow && called !== 'aborted' && called.turn.stopReason === 'model_context_window_exceeded') {
          addUsage(overflowUsage, called.usage);
          overflow = new ContextWindowExceededError(`${config.modelId} stopped with model_context_window_exceeded.`);
        }
        if (!overflow) break;
        if (!policy || trimmedForOverflow) throw overflow;
        trimmedForOverflow = true;
        const shrank = yield* chooseWindow('overflow');
        if (!shrank) {
          throw new ContextWindowExceededError(
            `${overflow.message.replace(/\s*Start a new session.*$/, '')} The context policy could not send less.`,
            {
              cause: overflow,
            },
          );
        }
        yield {
          type: 'retry',
          ...ids,
          stepIndex,
          reason: 'context-window',
          attempt: 2,
          delayMs: 0,
          error: { code: overflow.code, message: overflow.message },
        };
      }
      if (called === 'aborted') {
        stopReason = 'aborted';
        break;
      }
      const { turn } = called;
      addUsage(called.usage, overflowUsage);
      const stepCost = costOf(called.usage, config.price);
      addCost(called.usage, config.price);
      const endOfModel = new Date();
      yield {
        type: 'model-response',
        ...ids,
        stepIndex,
        message: turn.message,
        stopReason: turn.stopReason,
        usage: called.usage,
        costUsd: stepCost,
        latencyMs: turn.latencyMs,
      };
      yield traced(recorder.modelOutput(stepIndex, turn.message, turn.stopReason, called.usage, startTime, endOfModel));
      if (called.rationale !== undefined) {
        yield { type: 'rationale', ...ids, stepIndex, text: called.rationale };
        yield traced(recorder.rationale(stepIndex, called.rationale));
      }

      const assistant = turn.message;
      const hasContent = (assistant.content?.length ?? 0) > 0;
      if (hasContent) pushMessage(assistant);
      const uses = (assistant.content ?? []).flatMap((block) => (block.toolUse ? [block.toolUse] : []));
      let toolCalls: ToolCall[] = [];

      if (uses.length > 0) {
        // Every toolUse is answered, even on the last step or after an abort (with error results),
        // because Bedrock rejects a history holding a toolUse without its toolResult.
        const queue = new AsyncQueue<AgentEvent>();
        const dispatched = dispatchTools(uses, {
          tools: config.tools,
          concurrency: config.toolConcurrency,
          defaultTimeoutMs: config.toolTimeoutMs,
          signal,
          context: { runId, sessionId, stepIndex, session },
          onStart: (use: ToolUseBlock) => {
            queue.push({ type: 'tool-start', ...ids, stepIndex, toolUseId: use.toolUseId ?? '', name: use.name ?? '', input: use.input });
            queue.push(traced(recorder.toolInput(stepIndex, use.toolUseId ?? '', use.name ?? '', use.input)));
          },
          onEnd: (call: ToolCall) => {
            queue.push({ type: 'tool-end', ...ids, stepIndex, call });
            queue.push(traced(recorder.toolObservation(stepIndex, call)));
          },
        }).finally(() => queue.close());
        yield* queue;
        toolCalls = await dispatched;

        if (signal.aborted) stopReason = 'aborted';
        else if (config.maxCostUsd !== undefined && costUsd !== undefined && costUsd >= config.maxCostUsd) stopReason = 'budget';
        else if (isLastStep) stopReason = 'max_steps';
        const results: ContentBlock[] = toolCalls.map((call) => ({ toolResult: toToolResult(call) }));
        // Only when the run goes on to its last step: a stored nudge would mislead the session's next run.
        if (stopReason === undefined && stepIndex + 2 === config.maxSteps) results.push({ text: config.finalStepPrompt });
        const resultMessage: Message = { role: 'user', content: results };
        pushMessage(resultMessage);
        await save(assistant, resultMessage);
        if (stopReason !== undefined) text = called.text;
      } else {
        await save(...(hasContent ? [assistant] : []));
        const finished = FINISHING_STOPS[turn.stopReason] ?? 'end_turn';
        // A step the final-step prompt asked to wrap up ends the run as max_steps.
        stopReason = isLastStep && stepIndex > 0 && (finished === 'end_turn' || finished === 'stop_sequence') ? 'max_steps' : finished;
        text = called.text;
        for (const part of recorder.finish(stepIndex, text)) yield traced(part);
      }

      const step: Step = {
        index: stepIndex,
        modelId: config.modelId,
        stopReason: turn.stopReason,
        message: assistant,
        text: called.text,
        rationale: called.rationale,
        toolCalls,
        usage: called.usage,
        costUsd: stepCost,
        latencyMs: turn.latencyMs,
        attempts: called.attempts,
        startTime,
        endTime: new Date(),
      };
      steps.push(step);
      yield { type: 'step-end', ...ids, stepIndex, step };
    }
  } catch (error) {
    const failure =
      error instanceof NovaloopError
        ? error
        : new NovaloopError('INTERNAL', `Unexpected error in the agent loop: ${String(error)}`, { cause: error });
    yield traced(recorder.failure(stepIndex, failure.message, failure.code));
    yield { type: 'error', ...ids, error: failure };
    throw failure;
  }

  if (stopReason === undefined) throw new NovaloopError('INTERNAL', 'The agent loop ended without a stop reason.');
  if (stopReason === 'max_steps' && !text) {
    text = `I could not finish within the limit of ${config.maxSteps} steps, and have no final answer yet.`;
  }
  const result: RunResult = {
    runId,
    sessionId,
    text,
    stopReason,
    steps,
    trace: recorder.parts,
    usage,
    costUsd,
    messages,
    sessionAttributes: attributes,
  };
  yield { type: 'run-end', ...ids, result };
  return result;
}

function toToolResult(call: ToolCall): ToolResultBlock {
  // `status` is optional on the wire and only some models accept it; sending it only for errors keeps a
  // successful result byte-for-byte what a hand-written Converse loop sends.
  return call.status === 'error'
    ? { toolUseId: call.toolUseId, content: call.content, status: 'error' }
    : { toolUseId: call.toolUseId, content: call.content };
}

function isJson(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJson);
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && Object.values(value).every(isJson);
}
