import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';
import { Conversation, type Complete } from '../context/conversation.js';
import { userMessage } from '../context/history.js';
import type { CompletionOptions, ContextPolicy } from '../context/policy.js';
import { AgentConfigError, isNovaloopError, NovaloopError, SessionConflictError } from '../errors.js';
import { driveModelCall, type DeltaEventType, type ModelTransport } from '../model/drive-model-call.js';
import { modelInfo, type ModelPrice } from '../model/model-catalog.js';
import type { Usage } from '../model/usage.js';
import { SessionAttributeState } from '../session/session-attributes.js';
import { SessionLog } from '../session/session-log.js';
import type { PendingCall, PendingState, SessionAttributes, SessionStore } from '../session/session-store.js';
import type { Tool } from '../tools/tool.js';
import { decideStop } from './decide-stop.js';
import type { Emit } from './events.js';
import { ResumeConflictError, SessionPausedError } from './pause-errors.js';
import { abandonCalls, answerCalls, checkResume, resultsMessage, type ResumeAnswer } from './resume-pending.js';
import type { RunResult, RunStopReason, Step, TypedRunResult } from './run-result.js';
import { runStep, toToolResult, type OutputState, type RunState, type StepCall } from './run-step.js';
import { pauseState } from './pause-state.js';
import { hasToolBlocks, OUTPUT_TOOL_NAME, PAST_OUTPUT_TOOL, type OutputSpec } from './typed-output.js';
import { chooseRoute, type RouteDecision, type Routing } from '../routing/choose-route.js';
import { fixedCheckpoints, type PromptCacheMode } from '../model/prompt-cache.js';
import { RunTotals } from './run-totals.js';
import type { ParentRun } from './parent-run.js';

export interface LoopConfig {
  transport: ModelTransport;
  /** The step's model call, without its messages (with a cascade: the fallback route's). */
  call: StepCall;
  /** A cascade: each run's steps use the call of the route it chooses. */
  routing: Routing<StepCall> | undefined;
  /** 'auto': the moving cachePoint at the end of the previous step (the system one is in `call.base`). */
  promptCache: PromptCacheMode;
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

/** How a run begins: with a prompt, or by resuming a paused run with the application's answers. */
export type LoopStart =
  { kind: 'prompt'; input: string | ContentBlock[]; abandonPending: boolean } | { kind: 'resume'; answers: readonly ResumeAnswer[] };

export interface LoopRun {
  runId: string;
  sessionId: string;
  start: LoopStart;
  signal: AbortSignal;
  /** Where the session lives; `undefined` keeps nothing (a run nobody can resume). */
  store: SessionStore | undefined;
  /** Merged into the session's attributes and saved with the run's first step. */
  sessionAttributes: SessionAttributes | undefined;
  /** Typed output: the run ends with an answer through the forced tool. */
  output: OutputSpec | undefined;
  /** Set for a collaborator's run: the supervisor's tool call that started it. */
  parent?: ParentRun | undefined;
  /** Whether anyone hears delta events of a type (absent: every delta event is made). */
  hears?: ((type: DeltaEventType) => boolean) | undefined;
  /** Where every event of the run goes, the moment it happens. */
  emit: Emit;
  /** `stream()`'s: resolves once its consumer took every event so far (see `AsyncQueue.taken`). */
  handedOut?: (() => Promise<void>) | undefined;
}

/**
 * The agent loop — the only one: step after step until `decideStop` ends the run. Every event goes
 * to `run.emit` as it happens; `Agent` derives the trace from them, emits them to listeners, and
 * `stream()` hands them out. A resumed run is this same loop, entered at the paused run's next step
 * once the paused calls are answered.
 */
export async function runLoop(config: LoopConfig, run: LoopRun): Promise<RunResult> {
  const { sessionId, signal, start, emit } = run;
  let ids = { runId: run.runId, sessionId };
  const prompt = start.kind === 'prompt' ? userMessage(start.input) : undefined;
  if (prompt) emit({ type: 'run-start', ...ids, input: prompt });

  const totals = new RunTotals(config.call.price !== undefined, config.maxCostUsd, run.parent?.totals);
  const steps: Step[] = [];
  const log = new SessionLog(run.store, sessionId);
  let state: RunState | undefined;
  let stopReason: RunStopReason | undefined;
  let text = '';
  let stepIndex = 0;
  let pending: PendingCall[] = [];
  let history: Message[] = [];
  let route: RouteDecision | undefined;
  try {
    // Loaded inside the try, so a failed load is reported like any error.
    const loaded = await log.load();
    history = loaded?.messages ?? [];
    const attributes = new SessionAttributeState(loaded?.attributes, run.sessionAttributes);
    let next = prompt;
    /** Set when a resume answered the pause: its answers are stored before the next step. */
    let resolved: PendingState | undefined;
    /** A resumed run keeps the route its paused run chose; anything else is routed on its prompt. */
    let keptRoute: string | undefined;
    if (start.kind === 'resume') {
      const checked = await checkResume(sessionId, loaded, start.answers, config.tools);
      const paused = checked.pending;
      // The resumed run is the paused one going on: same run id, next step index.
      ids = { runId: paused.runId, sessionId };
      stepIndex = paused.stepIndex + 1;
      emit({ type: 'run-start', ...ids, input: { role: 'user', content: [] }, resumes: paused.invocationId });
      if (signal.aborted) {
        // Aborted before anything changed: the pause stays, to be resumed later.
        stopReason = 'aborted';
        pending = paused.calls;
      } else {
        // Approved tools and resumed collaborators must run once: claim the invocation first, so a
        // concurrent resume fails before running them.
        if (checked.approved.length > 0 || checked.resumed.length > 0) {
          await conflictAsResume(log.claim({ ...paused, resumedBy: run.runId }), paused);
        }
        emit({ type: 'resume', ...ids, stepIndex: paused.stepIndex, invocationId: paused.invocationId, calls: paused.calls });
        const { calls, paused: waiting } = await answerCalls(checked, {
          ids: { ...ids, stepIndex: paused.stepIndex },
          tools: config.tools,
          concurrency: config.toolConcurrency,
          defaultTimeoutMs: config.toolTimeoutMs,
          signal,
          context: { ...ids, stepIndex: paused.stepIndex, session: attributes.toolSession },
          totals,
          keepsSession: run.store !== undefined,
          emit,
          handedOut: run.handedOut,
        });
        if (waiting.length > 0) {
          // A collaborator paused again: so does this run, at the same step, with no model call. The
          // calls answered now are kept with the pause; the new invocation refuses the old answers.
          const point = { ...paused, results: [...paused.results, ...calls.map(toToolResult)] };
          const again = pauseState(point, [], waiting);
          emit({
            type: 'pause',
            ...ids,
            stepIndex: paused.stepIndex,
            invocationId: again.invocationId,
            stopReason: again.stopReason,
            calls: again.calls,
          });
          await conflictAsResume(log.save([], attributes, NO_SUMMARY, again), paused);
          stopReason = again.stopReason;
          pending = again.calls;
        } else {
          next = resultsMessage(paused, calls, stepIndex + 1 === config.maxSteps ? config.finalStepPrompt : undefined);
          history = [...history, paused.message];
          log.addUnsaved(paused.message, next);
          log.resolvePending();
          resolved = paused;
          keptRoute = paused.route;
        }
      }
    } else if (loaded?.pending) {
      const paused = loaded.pending;
      if (!start.abandonPending) throw new SessionPausedError(sessionId, paused.calls);
      // The prompt joins the error results in one user message: stored history keeps alternating roles.
      const answered = resultsMessage(paused, abandonCalls(paused), undefined);
      next = { role: 'user', content: [...(answered.content ?? []), ...(prompt?.content ?? [])] };
      history = [...history, paused.message];
      log.addUnsaved(paused.message, next);
      log.resolvePending();
    } else if (prompt) {
      log.addUnsaved(prompt);
    }

    if (next) {
      const complete: Complete = (messages, options, index) => summaryCall(config, state as RunState, messages, options, index);
      const conversationOptions = { policy: config.context, ids, complete, fixedTokens: config.fixedTokens, signal, emit };
      const conversation = new Conversation(conversationOptions, history, next, loaded?.summary);
      let call = config.call;
      if (config.routing && !signal.aborted) {
        const kept = keptRoute === undefined ? undefined : config.routing.routes.get(keptRoute);
        if (kept) {
          call = kept;
        } else if (prompt && start.kind === 'prompt') {
          const routed = await chooseRoute(config.routing, config.transport, {
            ...ids,
            input: start.input,
            prompt,
            signal,
            totals,
            emit,
            handedOut: run.handedOut,
          });
          if (routed === 'aborted') {
            stopReason = 'aborted';
          } else {
            route = routed.decision;
            call = routed.call;
          }
        }
      }
      state = {
        config,
        ids,
        signal,
        conversation,
        attributes,
        log,
        totals,
        attempts: { count: 0 },
        keepsSession: run.store !== undefined,
        hears: run.hears,
        emit,
        handedOut: run.handedOut,
        call: call.base.toolConfig || run.output || !hasToolBlocks(history) ? call : withPastOutputTool(call),
        output: outputState(call, run.output),
        route: route?.route ?? keptRoute,
        previousPromptTokens: 0,
        previousCacheMark: undefined,
        fixedCheckpoints: config.promptCache === 'auto' ? fixedCheckpoints(call.base.system, next.content ?? []) : 0,
      };
      // The answers are stored on their own, before the next model call: this append is what makes a
      // resume happen once (a concurrent one conflicts here, or at the claim).
      if (resolved) await conflictAsResume(log.save([], attributes, conversation), resolved);
      stopReason ??= decideStop({ aborted: signal.aborted, ...totals.budget() });
    }
    while (stopReason === undefined && state) {
      const outcome = await runStep(state, stepIndex);
      if (outcome.step) steps.push(outcome.step);
      text = outcome.text;
      stopReason = outcome.stop;
      pending = outcome.step?.pending ?? [];
      stepIndex++;
    }
  } catch (error) {
    const failure = isNovaloopError(error)
      ? error
      : new NovaloopError('INTERNAL', `Unexpected error in the agent loop: ${String(error)}. This is a novaloop bug; report it.`, {
          cause: error,
        });
    emit({ type: 'error', ...ids, error: failure });
    throw failure;
  }

  if (stopReason === 'max_steps' && !text) {
    text = `I could not finish within the limit of ${config.maxSteps} steps, and have no final answer yet.`;
  }
  const result: RunResult = {
    runId: ids.runId,
    sessionId,
    text,
    stopReason: stopReason ?? 'aborted',
    steps,
    trace: [],
    // A copy: a collaborator given up on may still be counting into the totals.
    usage: { ...totals.usage },
    costUsd: totals.costUsd,
    usageByModel: totals.byModel(),
    route,
    messages: state ? state.conversation.messages : history,
    sessionAttributes: state ? state.attributes.current : {},
    pending,
  };
  if (run.output) (result as TypedRunResult<unknown>).output = steps.at(-1)?.output;
  emit({ type: 'run-end', ...ids, result });
  return result;
}

/** A resume that pauses again before any step changes no summary. */
const NO_SUMMARY = { unsavedSummary: () => undefined, markSaved: () => undefined };

/** Typed output's two calls, built on the run's call (a cascade's route, or the agent's). */
function outputState(runCall: StepCall, spec: OutputSpec | undefined): OutputState | undefined {
  if (!spec) return undefined;
  const tools = [...(runCall.base.toolConfig?.tools ?? []), spec.tool.spec];
  const call: StepCall = { ...runCall, base: { ...runCall.base, toolConfig: { tools } } };
  const forced: StepCall = {
    ...runCall,
    base: { ...runCall.base, toolConfig: { tools, toolChoice: { tool: { name: OUTPUT_TOOL_NAME } } } },
  };
  return { spec, call, forced, force: false, failures: 0 };
}

function withPastOutputTool(call: StepCall): StepCall {
  return { ...call, base: { ...call.base, toolConfig: { tools: [PAST_OUTPUT_TOOL] } } };
}

/** A lost race on the session while resuming is the resume's conflict, not an ordinary session conflict. */
async function conflictAsResume<T>(work: Promise<T>, paused: PendingState): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof SessionConflictError)) throw error;
    throw new ResumeConflictError(
      error.sessionId,
      paused?.invocationId ?? '(this pause)',
      'was resumed by another process at the same time',
      {
        cause: error,
      },
    );
  }
}

/** A context policy's completion: through the same driver as the steps, priced, in the step's attempt count. */
async function summaryCall(
  config: LoopConfig,
  state: RunState,
  messages: Message[],
  options: CompletionOptions,
  stepIndex: number,
): Promise<{ text: string; usage: Usage } | 'aborted'> {
  const model = modelInfo(options.modelId);
  const price = config.prices.get(options.modelId) ?? model.price;
  if (price === undefined && config.maxCostUsd !== undefined) {
    throw new AgentConfigError(
      `The context policy asked ${options.modelId}, whose price is unknown, so maxCostUsd cannot be enforced. ` +
        "List it in the policy's `models`, and pass its price in `prices`.",
    );
  }
  const { ids, signal } = state;
  const scope = {
    ...ids,
    stepIndex,
    signal,
    attempts: state.attempts,
    account: state.totals.account,
    emit: state.emit,
    handedOut: state.handedOut,
  };
  const inference = { temperature: 0, ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}) };
  const base = options.system ? { system: [{ text: options.system }] } : {};
  const request = { purpose: 'summary' as const, modelId: options.modelId, model, price, messages, base, inference, toolUseRepairs: 0 };
  const answer = await driveModelCall(config.transport, request, scope);
  return answer === 'aborted' ? 'aborted' : { text: answer.text, usage: answer.usage };
}
