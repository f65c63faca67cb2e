import type { ContentBlock, Message, ToolResultBlock, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import type { ModelCallConfig } from './call-model.js';
import type { ContextPolicy } from './context.js';
import { ContextWindowState } from './context-window-state.js';
import { NovaloopError } from './errors.js';
import type { AgentEvent } from './events.js';
import { userMessage } from './history.js';
import type { InferenceSettings } from './inference.js';
import type { ModelPrice } from './model-catalog.js';
import { callModelWithOverflowRetry } from './overflow-retry.js';
import { AsyncQueue } from './async-queue.js';
import { dispatchTools } from './dispatch-tools.js';
import type { RunResult, RunStopReason } from './run-result.js';
import { SessionAttributeState } from './session-attributes.js';
import type { SessionAttributes, SessionStore } from './session-store.js';
import { SessionWriter } from './session-writer.js';
import type { Step, ToolCall } from './step.js';
import type { Tool } from './tool.js';
import { TraceRecorder, type TracePart } from './trace.js';
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

  const addCost = (add: Usage, modelPrice: typeof config.price) => {
    addUsage(usage, add);
    const cost = costOf(add, modelPrice);
    if (costUsd !== undefined) costUsd = cost === undefined ? undefined : costUsd + cost;
  };

  const writer = new SessionWriter(config.memory, sessionId, prompt);
  // Made from the loaded session, inside the try so a failed load is reported like any error; the result reads them after it.
  let conversation!: ContextWindowState;
  let attributes!: SessionAttributeState;

  try {
    const loaded = await writer.load();
    const windowOptions = { policy: config.context, ids, model: config, fixedTokens: config.fixedTokens, signal, addCost };
    conversation = new ContextWindowState(windowOptions, loaded?.messages ?? [], prompt, loaded?.summary);
    attributes = new SessionAttributeState(loaded?.attributes, run.sessionAttributes);
    recorder.track(conversation.messages);
    for (; stopReason === undefined; stepIndex++) {
      if (signal.aborted) {
        stopReason = 'aborted';
        break;
      }
      const startTime = new Date();
      const isLastStep = stepIndex + 1 >= config.maxSteps;
      yield { type: 'step-start', ...ids, stepIndex };
      yield* conversation.choose('step', stepIndex);

      const stepCall = { ...ids, stepIndex, inference: config.inference, recorder, signal };
      const called = yield* callModelWithOverflowRetry(config, conversation, stepCall);
      if (called === 'aborted') {
        stopReason = 'aborted';
        break;
      }
      const { turn } = called;
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
      if (hasContent) conversation.push(assistant);
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
          context: { runId, sessionId, stepIndex, session: attributes.toolSession },
          onStart: (use: ToolUseBlock) => {
            queue.push({ type: 'tool-start', ...ids, stepIndex, toolUseId: use.toolUseId ?? '', name: use.name ?? '', input: use.input });
            queue.push(
              traced(
                recorder.toolInput(stepIndex, use.toolUseId ?? '', use.name ?? '', use.input, config.tools.get(use.name ?? '')?.traceAs),
              ),
            );
          },
          onEnd: (call: ToolCall) => {
            queue.push({ type: 'tool-end', ...ids, stepIndex, call });
            queue.push(traced(recorder.toolObservation(stepIndex, call, config.tools.get(call.name)?.traceAs)));
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
        conversation.push(resultMessage);
        await writer.save([assistant, resultMessage], attributes, conversation);
        if (stopReason !== undefined) text = called.text;
      } else {
        await writer.save(hasContent ? [assistant] : [], attributes, conversation);
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
    messages: conversation.messages,
    sessionAttributes: attributes.current,
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
