import { checkInference, checkModelId, checkPrompt } from '../model/preflight.js';
import type { BedrockRuntimeClient, ContentBlock, SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';
import type { EventEmitter } from 'eventemitter3';
import { randomUUID } from 'node:crypto';
import { estimateTokens } from '../context/estimate-tokens.js';
import type { ContextPolicy } from '../context/policy.js';
import { AgentConfigError, ListenerError } from '../errors.js';
import type { ClientConfig } from '../model/client.js';
import { openWire } from '../model/open-wire.js';
import { resolveInference, type InferenceOptions } from '../model/inference.js';
import { modelInfo, type ModelPrice } from '../model/model-catalog.js';
import { resolveRetry, type RetryOptions } from '../model/retry-policy.js';
import { InMemorySessionStore, type SessionAttributes, type SessionStore } from '../session/session-store.js';
import { checkToolSet, type InferToolInput, type Tool, type ZodLikeSchema } from '../tools/tool.js';
import { TraceBuilder } from '../trace/build-trace.js';
import type { TracePart } from '../trace/trace-types.js';
import type { AgentEvent, AgentEventMap } from './events.js';
import { IsolatingEmitter } from './isolating-emitter.js';
import { AsyncQueue } from './async-queue.js';
import type { ResumeAnswer } from './resume-pending.js';
import type { RunResult, TypedRunResult } from './run-result.js';
import { outputSpec } from './typed-output.js';
import { runLoop, type LoopConfig } from './run-loop.js';
import type { StepCall } from './run-step.js';
import { isCascade, type Cascade } from '../routing/cascade.js';
import { ROUTE_TOOL } from '../routing/choose-route.js';
import { systemWithCachePoint, type PromptCacheMode } from '../model/prompt-cache.js';
import { enumTool, forcing, GREEDY } from '../structured/forced-tool.js';
import type { DeltaEventType, ModelCallRequest } from '../model/drive-model-call.js';
import { collaboratorTool, type AsToolOptions, type RunCollaborator } from './as-tool.js';
import { collaboratorAgents } from './collaborator-pause.js';
import { SessionLog } from '../session/session-log.js';
import { NothingPendingError } from './pause-errors.js';
import { checkResume } from './resume-pending.js';
import type { CollaboratorLink } from './parent-run.js';

export interface AgentOptions {
  /**
   * A Bedrock model id, inference-profile id or ARN, e.g. `us.amazon.nova-pro-v1:0`, or a `cascade()`
   * that picks the model for each run.
   */
  model: string | Cascade;
  /** The system prompt, or system blocks (to add cachePoints). */
  system?: string | SystemContentBlock[];
  tools?: Tool[];
  /** Most model calls per run (default 10). The last one asks for a final answer. */
  maxSteps?: number;
  inference?: InferenceOptions;
  /** For Nova with tools, temperature 0 and topK 1 unless set in `inference` (default true). */
  greedyToolDecoding?: boolean;
  /** A Bedrock client used exactly as given (its own retry settings included). */
  client?: BedrockRuntimeClient;
  /** Settings for the client the agent builds when `client` is not given (either transport). */
  clientConfig?: ClientConfig;
  /**
   * How model calls reach Bedrock when `client` is not given: `'sdk'` (default), the AWS SDK's
   * BedrockRuntimeClient; or `'lean'`, Converse over node:http(s) with the SDK's signer, credential
   * chain and event-stream codec but without its middleware stack (less CPU per call). Same events,
   * errors and retries either way.
   */
  transport?: 'sdk' | 'lean';
  /** ConverseStream (default) or Converse; the events and results are the same. */
  stream?: boolean;
  retry?: RetryOptions;
  /**
   * Greedy re-asks after Nova breaks a tool call. `maxRepairs` counts the re-asks, not the first
   * call (default 2). `maxAttempts` is its old, deprecated name with the same meaning.
   */
  toolUseRepair?: { maxRepairs?: number; /** @deprecated Use `maxRepairs` (same meaning). */ maxAttempts?: number };
  /** Tool calls of one turn run at most this many at a time (default 8). */
  toolConcurrency?: number;
  /** For tools without their own `timeoutMs` (default 60,000). */
  toolTimeoutMs?: number;
  /** Ends a run with stopReason 'budget' once its cost reaches this many USD. Needs a known price. */
  maxCostUsd?: number;
  /** Overrides the built-in price table for `model` (USD per 1M tokens). */
  price?: ModelPrice;
  /** Prices of other models a run calls (a summarizing policy's model), by model id; override the table. */
  prices?: Record<string, ModelPrice>;
  /**
   * Called when a listener on `events` throws. The run goes on as if the listener had returned: its
   * outcome and stored history never depend on a listener. Default: a process warning.
   */
  onListenerError?: (error: ListenerError) => void;
  /** Where sessions live (default: an `InMemorySessionStore`). */
  memory?: SessionStore;
  /** Added to the tool results before the last allowed step. */
  finalStepPrompt?: string;
  /**
   * Chooses what each model call sends, e.g. `slidingWindow({ maxInputTokens })` or `summarizing()`.
   * Default: the whole conversation. The stored history is never trimmed.
   */
  context?: ContextPolicy;
  /**
   * 'auto': cachePoints placed for you (after the system prompt when its prefix reaches the model's
   * minimum, and a moving one at the end of each step's predecessor). Default 'off': see the README.
   */
  promptCache?: PromptCacheMode;
}

export interface RunOptions {
  /** Continues this session; a new one is made if omitted (see `RunResult.sessionId`). */
  sessionId?: string;
  /** Cancels the model request and running tools; the run ends with stopReason 'aborted'. */
  signal?: AbortSignal;
  /** Merged into the session's attributes (a key given replaces the stored one), saved with the first step. */
  sessionAttributes?: SessionAttributes;
  /**
   * On a session paused on calls (see `agent.resume`): answer them with errors the model sees, and run
   * this prompt. Without it such a run throws `SessionPausedError`.
   */
  abandonPending?: boolean;
  /**
   * Typed final output: a zod 3 or zod 4 `z.object` schema. The run's answer comes through a forced
   * tool holding it, parsed into `result.output`.
   */
  output?: ZodLikeSchema;
  /** Answers that fail the output schema are sent back with its issues this many times (default 2). */
  outputRetries?: number;
}

/** Options of `agent.resume`: the paused run goes on with the agent's own options. */
export interface ResumeOptions {
  signal?: AbortSignal;
  /** The paused run's output schema, if it had one (a schema cannot be stored with the session). */
  output?: ZodLikeSchema;
  outputRetries?: number;
}

type Start =
  | { kind: 'prompt'; input: string | ContentBlock[]; options: RunOptions; link?: CollaboratorLink | undefined }
  | { kind: 'resume'; sessionId: string; answers: readonly ResumeAnswer[]; options: ResumeOptions; link?: CollaboratorLink | undefined };

const DEFAULT_FINAL_STEP_PROMPT =
  'You have reached the step limit for this request. Do not call any more tools. Answer now with the information you already have.';

/** A run in progress: its loop and what cancels it. */
interface ActiveRun {
  /** The loop, running: settles with the run's result, or its error. */
  loop: Promise<RunResult>;
  trace: TraceBuilder;
  controller: AbortController;
  outer: AbortSignal | undefined;
  onAbort: () => void;
  /** Set when the loop returned its result. */
  finished: boolean;
}

/** Where `stream()` collects what it hands out: each event and the trace parts derived from it. */
type Out = Pick<AsyncQueue<AgentEvent>, 'push' | 'taken'>;

export class Agent {
  readonly model: string | Cascade;
  /** Every event of every run of this agent; 'trace' listeners get Bedrock-Agents-shaped trace parts. */
  readonly events: EventEmitter<AgentEventMap> = new IsolatingEmitter<AgentEventMap>((eventType, error) =>
    this.listenerFailed(eventType, error),
  );
  readonly memory: SessionStore;
  private readonly config: LoopConfig;
  /** The AWS SDK client the agent talks through (`undefined` on the lean transport). */
  private readonly sdkClient: BedrockRuntimeClient | undefined;
  /** Whether `memory` is the default store the agent made (runs without a sessionId keep nothing there). */
  private readonly defaultMemory: boolean;
  private readonly onListenerError: (error: ListenerError) => void;
  /** Whether a run may pause (a tool returns control or needs approval). */
  private readonly pausable: boolean;
  /** Models a run of this agent may call without a known price (its collaborators' included). */
  private readonly unpriced: readonly string[];

  constructor(options: AgentOptions) {
    const routed = isCascade(options.model) ? options.model : undefined;
    if (!routed && (typeof options.model !== 'string' || options.model === ''))
      throw new AgentConfigError('`model` is required, e.g. "us.amazon.nova-pro-v1:0", or a cascade({ ... }).');
    if (!routed) checkModelId(options.model as string);
    if (routed && options.price !== undefined) {
      throw new AgentConfigError("`price` is for a single model; with a cascade, pass each model's price in `prices`, by model id.");
    }
    const promptCache = options.promptCache ?? 'off';
    if (promptCache !== 'auto' && promptCache !== 'off') throw new AgentConfigError("`promptCache` must be 'auto' or 'off'.");
    checkInference(options.inference);
    const maxSteps = options.maxSteps ?? 10;
    positiveInteger('maxSteps', maxSteps);
    const toolConcurrency = options.toolConcurrency ?? 8;
    positiveInteger('toolConcurrency', toolConcurrency);
    const repairs = options.toolUseRepair?.maxRepairs ?? options.toolUseRepair?.maxAttempts ?? 2;
    if (!Number.isInteger(repairs) || repairs < 0) throw new AgentConfigError('`toolUseRepair.maxRepairs` must be an integer ≥ 0.');
    const retry = resolveRetry(options.retry);
    positiveInteger('retry.maxAttempts', retry.maxAttempts);

    const prices = new Map(Object.entries(options.prices ?? {}));
    const priceOf = (modelId: string): ModelPrice | undefined =>
      (!routed ? options.price : undefined) ?? prices.get(modelId) ?? modelInfo(modelId).price;
    const stepModels = routed ? Object.values<string>(routed.routes) : [options.model as string];
    const tools = checkToolSet(options.tools ?? []);
    // Every model a run may call, collaborators' included, is priced, or a budget would silently stop counting.
    const unpriced = [
      ...[...stepModels, ...(routed?.classifier !== undefined ? [routed.classifier] : [])].filter((id) => !priceOf(id)),
      ...(options.context?.models ?? []).filter((id) => !prices.has(id) && !modelInfo(id).price),
      ...[...tools.values()].flatMap((tool) => collaboratorAgents.get(tool)?.unpriced() ?? []),
    ];
    this.unpriced = [...new Set(unpriced)];
    if (options.maxCostUsd !== undefined) {
      if (!(options.maxCostUsd > 0)) throw new AgentConfigError('`maxCostUsd` must be a positive number of USD.');
      if (unpriced.length > 0) {
        throw new AgentConfigError(
          `No price is known for ${this.unpriced.join(', ')}, so maxCostUsd cannot be enforced. Pass \`price\` for the agent's model ` +
            "and `prices` for the others (USD per 1M tokens); for a collaborator's model, give them to the collaborator agent.",
        );
      }
    }
    const system = typeof options.system === 'string' ? (options.system ? [{ text: options.system }] : undefined) : options.system;
    const toolSpecs = [...tools.values()].map((tool) => tool.spec);

    const stepCall = (modelId: string): StepCall => {
      const model = modelInfo(modelId);
      const systemBlocks = systemWithCachePoint(promptCache, system, toolSpecs, model);
      return {
        modelId,
        model,
        price: priceOf(modelId),
        base: {
          ...(systemBlocks && systemBlocks.length > 0 ? { system: systemBlocks } : {}),
          ...(toolSpecs.length > 0 ? { toolConfig: { tools: toolSpecs } } : {}),
        },
        inference: resolveInference(options.inference, model, tools.size > 0, options.greedyToolDecoding ?? true),
        toolUseRepairs: repairs,
      };
    };
    const calls = new Map(stepModels.map((modelId) => [modelId, stepCall(modelId)]));
    const routing: LoopConfig['routing'] = routed
      ? {
          cascade: routed,
          routes: new Map(Object.entries<string>(routed.routes).map(([name, modelId]) => [name, calls.get(modelId) as StepCall])),
          classifier:
            routed.classifier === undefined
              ? undefined
              : classifierCall(routed, routed.classifier, priceOf(routed.classifier), promptCache),
        }
      : undefined;

    this.model = options.model;
    // A collaborator that may pause pauses this agent's run too.
    this.pausable = [...tools.values()].some(
      (t) => t.returnControl === true || t.needsApproval !== undefined || collaboratorAgents.get(t)?.pausable === true,
    );
    this.defaultMemory = options.memory === undefined;
    this.memory = options.memory ?? new InMemorySessionStore();
    this.onListenerError = options.onListenerError ?? ((error) => process.emitWarning(error));
    const { wire, client } = openWire(options);
    this.sdkClient = client;
    this.config = {
      transport: {
        wire,
        stream: options.stream ?? true,
        retry,
        random: Math.random,
      },
      call: calls.get(
        routed ? ((routed.routes as Record<string, string>)[routed.fallback] as string) : (options.model as string),
      ) as StepCall,
      routing,
      promptCache,
      prices,
      tools,
      maxSteps,
      maxCostUsd: options.maxCostUsd,
      toolConcurrency,
      toolTimeoutMs: options.toolTimeoutMs ?? 60_000,
      finalStepPrompt: options.finalStepPrompt ?? DEFAULT_FINAL_STEP_PROMPT,
      context: options.context,
      // Counted as one user message would be: the same estimate the policies use for messages.
      fixedTokens: options.context
        ? estimateTokens({ role: 'user', content: [{ text: JSON.stringify(system ?? []) + JSON.stringify(toolSpecs) }] })
        : 0,
    };
  }

  /**
   * Runs to the end and returns the result: the same loop as `stream()`, each event delivered the
   * same way, with nothing handed out. With `output`, `result.output` is typed from the schema.
   */
  run<S extends ZodLikeSchema>(
    input: string | ContentBlock[],
    options: Omit<RunOptions, 'output'> & { output: S },
  ): Promise<TypedRunResult<InferToolInput<S>>>;
  run(input: string | ContentBlock[], options?: RunOptions): Promise<RunResult>;
  async run(input: string | ContentBlock[], options: RunOptions = {}): Promise<RunResult> {
    return this.complete({ kind: 'prompt', input, options });
  }

  /**
   * Runs, yielding every event as it happens, trace parts included; the generator's return value is
   * the `RunResult` (also in the last event, 'run-end'). Stopping the iteration early cancels the run:
   * nothing is sent or run after the event it stopped at (the run waits for the next `next()` before
   * each model request and tool call).
   */
  stream(input: string | ContentBlock[], options: RunOptions = {}): AsyncGenerator<AgentEvent, RunResult> {
    return this.drive({ kind: 'prompt', input, options });
  }

  /**
   * Continues a run that paused (stopReason 'return_control' or 'needs_approval'), in this process or
   * another one with the same tools: `answers` answers each of `result.pending` by `toolUseId`. The
   * resumed run continues the paused run's id and step numbering. Bad answers, a pause that is gone
   * and a lost race with another resume are typed errors that change nothing.
   */
  resume<S extends ZodLikeSchema>(
    sessionId: string,
    answers: readonly ResumeAnswer[],
    options: Omit<ResumeOptions, 'output'> & { output: S },
  ): Promise<TypedRunResult<InferToolInput<S>>>;
  resume(sessionId: string, answers: readonly ResumeAnswer[], options?: ResumeOptions): Promise<RunResult>;
  async resume(sessionId: string, answers: readonly ResumeAnswer[], options: ResumeOptions = {}): Promise<RunResult> {
    return this.complete({ kind: 'resume', sessionId, answers, options });
  }

  /** `resume`, yielding every event as `stream()` does. */
  streamResume(sessionId: string, answers: readonly ResumeAnswer[], options: ResumeOptions = {}): AsyncGenerator<AgentEvent, RunResult> {
    return this.drive({ kind: 'resume', sessionId, answers, options });
  }

  /** Closes the connections of the client the agent made (a client you passed in is left alone). */
  close(): void {
    this.config.transport.wire.close();
  }

  /**
   * `run()`'s and `resume()`'s end: the same loop as `stream()`, each event delivered by the same
   * `deliver()` the moment the loop emits it, with nothing handed out.
   */
  private async complete(begin: Start): Promise<RunResult> {
    // Nothing is handed out: a delta event is made only while someone listens for its type.
    const run = this.start(begin, undefined, this.hearsDeltas);
    try {
      const result = await run.loop;
      run.finished = true;
      return result;
    } finally {
      await this.end(run);
    }
  }

  /**
   * The agent's Bedrock client: pass it to `classify()` / `extract()` to share its pooled connections.
   * An agent on `transport: 'lean'` has none (it does not use the AWS SDK client).
   */
  get client(): BedrockRuntimeClient {
    if (!this.sdkClient) {
      throw new AgentConfigError(
        "This agent uses transport: 'lean', which has no AWS SDK client to share. Give classify() / extract() " +
          "`transport: 'lean'` and the agent's `clientConfig` instead, or make the agent with the default transport.",
      );
    }
    return this.sdkClient;
  }

  /**
   * This agent as a tool of another agent (a supervisor): the model calls it with a request, this
   * agent runs with its own prompt, tools, model and session (the supervisor's session id plus
   * `name`), and its answer is the tool result. The supervisor's abort and budget reach it, its cost
   * counts in the supervisor's result, and its trace parts join the supervisor's trace.
   */
  asTool(options: AsToolOptions): Tool {
    const run: RunCollaborator = (begin, signal, link) =>
      'answers' in begin
        ? this.drive({ kind: 'resume', sessionId: begin.sessionId, answers: begin.answers, options: { signal }, link })
        : // A pause left in the collaborator's session is one no supervisor waits on any more (its pause
          // was abandoned, or its run aborted): this new request abandons it, as the user's would.
          this.drive({ kind: 'prompt', input: begin.input, options: { sessionId: begin.sessionId, signal, abandonPending: true }, link });
    const made = collaboratorTool(options, run);
    collaboratorAgents.set(made, {
      unpriced: () => this.unpriced,
      pausable: this.pausable,
      checkResume: async (wait, answers) => {
        const loaded = await new SessionLog(this.memory, wait.sessionId).load();
        const now = loaded?.pending?.invocationId;
        if (now !== undefined && now !== wait.invocationId) {
          throw new NothingPendingError(
            wait.sessionId,
            `collaborator ${options.name} no longer waits on invocation ${wait.invocationId} (it waits on ${now})`,
          );
        }
        await checkResume(wait.sessionId, loaded, answers, this.config.tools);
      },
    });
    return made;
  }

  /**
   * `stream()`'s and `streamResume()`'s drain (and a collaborator's, started with its `link` to the
   * supervisor's run): every event, and the trace parts derived from it, handed out in order.
   * Stopping the iteration early cancels the run (its signal aborts) and waits for the loop to end.
   */
  private async *drive(begin: Start): AsyncGenerator<AgentEvent, RunResult> {
    const out = new AsyncQueue<AgentEvent>();
    const run = this.start(begin, out);
    const close = () => out.close();
    run.loop.then(close, close);
    try {
      yield* out;
      const result = await run.loop;
      run.finished = true;
      return result;
    } finally {
      await this.end(run);
    }
  }

  /**
   * What one event of the loop becomes, for `run()` and `stream()` alike: listeners hear it, and the
   * trace parts derived from it are made ready for whoever takes them. With `out`, the event and its
   * parts are also handed out there, in order, for `stream()`; `run()` hands out nothing, so its
   * parts are made ready only for 'trace' listeners (or when `RunResult.trace` is read).
   */
  private deliver(run: ActiveRun, event: AgentEvent, out: Out | undefined): void {
    if (out === undefined && this.events.listenerCount('trace') === 0) {
      // Nobody takes parts now: the trace keeps the event, to make its parts only if asked.
      run.trace.defer(event);
      this.emit(event);
      return;
    }
    const parts = run.trace.partsFor(event);
    const wanted = parts !== undefined;
    const before = wanted && TraceBuilder.before(event);
    if (before) this.handOut(run, parts, out);
    this.emit(event);
    out?.push(event);
    if (wanted && !before) this.handOut(run, parts, out);
  }

  private handOut(run: ActiveRun, parts: TracePart[], out: Out | undefined): void {
    const listened = this.events.listenerCount('trace') > 0;
    for (const part of parts) {
      run.trace.ready(part);
      if (listened) this.emitTrace(part);
      out?.push({ type: 'trace', runId: part.runId, sessionId: part.sessionId, part });
    }
  }

  private readonly hearsDeltas = (type: DeltaEventType): boolean => this.events.listenerCount(type) > 0;

  private start(begin: Start, out: Out | undefined, hears?: (type: DeltaEventType) => boolean): ActiveRun {
    const { options } = begin;
    if (begin.kind === 'prompt') checkPrompt(begin.input);
    const output = options.output === undefined ? undefined : outputSpec(options.output, options.outputRetries ?? 2, this.config.tools);
    const controller = new AbortController();
    const outer = options.signal;
    const onAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener('abort', onAbort, { once: true });
    const runId = randomUUID();
    const given = begin.kind === 'prompt' ? begin.options.sessionId : begin.sessionId;
    const sessionId = given ?? randomUUID();
    const trace = new TraceBuilder(runId, sessionId, this.config.tools, begin.link?.collaboratorOf);
    const run: ActiveRun = { loop: NOT_STARTED, trace, controller, outer, onAbort, finished: false };
    run.loop = runLoop(this.config, {
      runId,
      sessionId,
      start:
        begin.kind === 'prompt'
          ? { kind: 'prompt', input: begin.input, abandonPending: begin.options.abandonPending === true }
          : { kind: 'resume', answers: begin.answers },
      signal: controller.signal,
      // A run nobody can continue keeps nothing in the default store (a store you pass keeps it); a
      // run that may pause always keeps its session, so it can be resumed by the id in its result.
      store: given === undefined && this.defaultMemory && !this.pausable ? undefined : this.memory,
      sessionAttributes: begin.kind === 'prompt' ? begin.options.sessionAttributes : undefined,
      output,
      parent: begin.link?.parent,
      hears,
      emit: (event) => this.deliver(run, event, out),
      handedOut: out && (() => out.taken()),
    });
    return run;
  }

  private async end(run: ActiveRun): Promise<void> {
    run.outer?.removeEventListener('abort', run.onAbort);
    // A loop that returned has nothing left running. Any other end (the consumer stopped
    // iterating, or the loop threw) cancels whatever may still be running, tools included.
    if (run.finished) return;
    run.controller.abort(new Error('The run was stopped by its consumer.'));
    await run.loop.catch(() => undefined);
  }

  private emit(event: AgentEvent): void {
    // Listener count first: no work at all for event types nobody listens to.
    if (event.type === 'trace' || this.events.listenerCount(event.type) === 0) return;
    (this.events.emit as (type: string, event: AgentEvent) => boolean)(event.type, event);
  }

  private emitTrace(part: TracePart): void {
    this.events.emit('trace', part);
  }

  private listenerFailed(eventType: string, error: unknown): void {
    try {
      this.onListenerError(new ListenerError(eventType, error));
    } catch {
      // A failing error handler must not change the run either.
    }
  }
}

/** A placeholder for the moment between making an `ActiveRun` and starting its loop. */
const NOT_STARTED: Promise<RunResult> = new Promise(() => undefined);

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new AgentConfigError(`\`${name}\` must be an integer ≥ 1 (got ${value}).`);
}

/** The classifier's request: the cascade's instructions, and a forced tool whose only input is an enum of the route names. */
function classifierCall(
  routed: Cascade,
  modelId: string,
  price: ModelPrice | undefined,
  promptCache: PromptCacheMode,
): Omit<ModelCallRequest, 'messages'> {
  const model = modelInfo(modelId);
  const tool = enumTool(ROUTE_TOOL, 'Routes the request to the route that should handle it.', 'route', Object.keys(routed.routes));
  const system = systemWithCachePoint(promptCache, [{ text: routed.instructions }], [tool], model);
  return {
    purpose: 'routing',
    modelId,
    model,
    price,
    base: { ...(system ? { system } : {}), toolConfig: forcing(tool) },
    // Greedy, and room for the tool call only: the answer is one short enum value.
    inference: { ...GREEDY, maxTokens: 100 },
    toolUseRepairs: 1,
  };
}
