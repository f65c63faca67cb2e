import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';
import { Conversation, type Complete } from '../context/conversation.js';
import { userMessage } from '../context/history.js';
import type { CompletionOptions, ContextPolicy } from '../context/policy.js';
import { AgentConfigError, isNovaloopError, NovaloopError } from '../errors.js';
import { driveModelCall, type ModelCallRequest, type ModelTransport } from '../model/drive-model-call.js';
import { modelInfo, type ModelPrice } from '../model/model-catalog.js';
import type { Usage } from '../model/usage.js';
import { SessionAttributeState } from '../session/session-attributes.js';
import { SessionLog } from '../session/session-log.js';
import type { SessionAttributes, SessionStore } from '../session/session-store.js';
import type { Tool } from '../tools/tool.js';
import { decideStop } from './decide-stop.js';
import type { AgentEvent } from './events.js';
import type { RunResult, RunStopReason, Step } from './run-result.js';
import { runStep, type RunState } from './run-step.js';
import { RunTotals } from './run-totals.js';
import type { ParentRun } from './parent-run.js';

export interface LoopConfig {
  transport: ModelTransport;
  /** The step's model call, without its messages. */
  call: Omit<ModelCallRequest, 'purpose' | 'messages' | 'shrink'>;
  /** Prices given for models other than the agent's own (`AgentOptions.prices`). */
  prices: ReadonlyMap<string, ModelPrice>;
  tools: ReadonlyMap<string, Tool>;
  maxSteps: number;
  maxCostUsd: number | undefined;
  toolConcurrency: number;
  toolTimeoutMs: number;
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
  /** Where the session lives; `undefined` keeps nothing (a run nobody can resume). */
  store: SessionStore | undefined;
  /** Merged into the session's attributes and saved with the run's first step. */
  sessionAttributes: SessionAttributes | undefined;
  /** Set for a collaborator's run: the supervisor's tool call that started it. */
  parent?: ParentRun | undefined;
}

/**
 * The agent loop — the only one: step after step until `decideStop` ends the run. It yields every
 * event; `Agent` derives the trace from them, emits them and hands them out.
 */
export async function* runLoop(config: LoopConfig, run: LoopRun): AsyncGenerator<AgentEvent, RunResult> {
  const { runId, sessionId, signal } = run;
  const ids = { runId, sessionId };
  const prompt = userMessage(run.input);
  yield { type: 'run-start', ...ids, input: prompt };

  const totals = new RunTotals(config.call.price !== undefined, config.maxCostUsd, run.parent?.totals);
  const steps: Step[] = [];
  const log = new SessionLog(run.store, sessionId, prompt);
  let state: RunState | undefined;
  let stopReason: RunStopReason | undefined;
  let text = '';
  let stepIndex = 0;
  try {
    // Loaded inside the try, so a failed load is reported like any error.
    const loaded = await log.load();
    const complete: Complete = (messages, options, index) => summaryCall(config, state as RunState, messages, options, index);
    const conversationOptions = { policy: config.context, ids, complete, fixedTokens: config.fixedTokens, signal };
    const conversation = new Conversation(conversationOptions, loaded?.messages ?? [], prompt, loaded?.summary);
    const attributes = new SessionAttributeState(loaded?.attributes, run.sessionAttributes);
    const keepsSession = run.store !== undefined;
    state = { config, ids, signal, conversation, attributes, log, totals, attempts: { count: 0 }, keepsSession };
    stopReason = decideStop({ aborted: signal.aborted, ...totals.budget() });
    while (stopReason === undefined) {
      const outcome = yield* runStep(state, stepIndex);
      if (outcome.step) steps.push(outcome.step);
      text = outcome.text;
      stopReason = outcome.stop;
      stepIndex++;
    }
  } catch (error) {
    const failure = isNovaloopError(error)
      ? error
      : new NovaloopError('INTERNAL', `Unexpected error in the agent loop: ${String(error)}. This is a novaloop bug; report it.`, {
          cause: error,
        });
    yield { type: 'error', ...ids, error: failure };
    throw failure;
  }

  if (stopReason === 'max_steps' && !text) {
    text = `I could not finish within the limit of ${config.maxSteps} steps, and have no final answer yet.`;
  }
  const result: RunResult = {
    runId,
    sessionId,
    text,
    stopReason,
    steps,
    trace: [],
    // A copy: a collaborator given up on may still be counting into the totals.
    usage: { ...totals.usage },
    costUsd: totals.costUsd,
    usageByModel: totals.usageByModel(),
    messages: state.conversation.messages,
    sessionAttributes: state.attributes.current,
  };
  yield { type: 'run-end', ...ids, result };
  return result;
}

/** A context policy's completion: through the same driver as the steps, priced, in the step's attempt count. */
async function* summaryCall(
  config: LoopConfig,
  state: RunState,
  messages: Message[],
  options: CompletionOptions,
  stepIndex: number,
): AsyncGenerator<AgentEvent, { text: string; usage: Usage } | 'aborted'> {
  const model = modelInfo(options.modelId);
  const price = config.prices.get(options.modelId) ?? model.price;
  if (price === undefined && config.maxCostUsd !== undefined) {
    throw new AgentConfigError(
      `The context policy asked ${options.modelId}, whose price is unknown, so maxCostUsd cannot be enforced. ` +
        "List it in the policy's `models`, and pass its price in `prices`.",
    );
  }
  const { ids, signal } = state;
  const scope = { ...ids, stepIndex, signal, attempts: state.attempts, account: state.totals.account };
  const inference = { temperature: 0, ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}) };
  const base = options.system ? { system: [{ text: options.system }] } : {};
  const request = { purpose: 'summary' as const, modelId: options.modelId, model, price, messages, base, inference, toolUseRepairs: 0 };
  const answer = yield* driveModelCall(config.transport, request, scope);
  return answer === 'aborted' ? 'aborted' : { text: answer.text, usage: answer.usage };
}
