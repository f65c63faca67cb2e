import { checkInference, checkModelId, checkPrompt } from './preflight.js';
import type { BedrockRuntimeClient, ContentBlock, SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { EventEmitter } from 'eventemitter3';
import { randomUUID } from 'node:crypto';
import { createBedrockClient, type ClientConfig } from './client.js';
import { estimateTokens, type ContextPolicy } from './context.js';
import { AgentConfigError } from './errors.js';
import type { AgentEvent, AgentEventMap } from './events.js';
import { resolveInference, type InferenceOptions } from './inference.js';
import { modelInfo, type ModelPrice } from './model-catalog.js';
import { resolveRetry, type RetryOptions } from './retry-policy.js';
import type { RunResult } from './run-result.js';
import { runLoop, type LoopConfig } from './run-loop.js';
import { InMemorySessionStore, type SessionAttributes, type SessionStore } from './session-store.js';
import { checkToolSet, type Tool } from './tool.js';

export interface AgentOptions {
  /** A Bedrock model id, inference-profile id or ARN, e.g. `us.amazon.nova-pro-v1:0`. */
  model: string;
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
  /** Settings for the client the agent builds when `client` is not given. */
  clientConfig?: ClientConfig;
  /** ConverseStream (default) or Converse; the events and results are the same. */
  stream?: boolean;
  retry?: RetryOptions;
  /** Greedy re-asks after Nova breaks a tool call (default 2). */
  toolUseRepair?: { maxAttempts?: number };
  /** Tool calls of one turn run at most this many at a time (default 8). */
  toolConcurrency?: number;
  /** For tools without their own `timeoutMs` (default 60,000). */
  toolTimeoutMs?: number;
  /** Ends a run with stopReason 'budget' once its cost reaches this many USD. Needs a known price. */
  maxCostUsd?: number;
  /** Overrides the built-in price table (USD per 1M tokens). */
  price?: ModelPrice;
  /** Where sessions live (default: an `InMemorySessionStore`). */
  memory?: SessionStore;
  /** Added to the tool results before the last allowed step. */
  finalStepPrompt?: string;
  /**
   * Chooses what each model call sends, e.g. `slidingWindow({ maxInputTokens })` or `summarizing()`.
   * Default: the whole conversation. The stored history is never trimmed.
   */
  context?: ContextPolicy;
}

export interface RunOptions {
  /** Continues this session; a new one is made if omitted (see `RunResult.sessionId`). */
  sessionId?: string;
  /** Cancels the model request and running tools; the run ends with stopReason 'aborted'. */
  signal?: AbortSignal;
  /** Merged into the session's attributes (a key given replaces the stored one), saved with the first step. */
  sessionAttributes?: SessionAttributes;
}

const DEFAULT_FINAL_STEP_PROMPT =
  'You have reached the step limit for this request. Do not call any more tools. Answer now with the information you already have.';

/** A run in progress: its loop and what cancels it. */
interface ActiveRun {
  loop: AsyncGenerator<AgentEvent, RunResult>;
  controller: AbortController;
  outer: AbortSignal | undefined;
  onAbort: () => void;
  /** Set when the loop returned its result. */
  finished: boolean;
}

export class Agent {
  readonly model: string;
  /** Every event of every run of this agent; 'trace' listeners get Bedrock-Agents-shaped trace parts. */
  readonly events = new EventEmitter<AgentEventMap>();
  readonly memory: SessionStore;
  private readonly config: LoopConfig;
  private readonly ownsClient: boolean;

  constructor(options: AgentOptions) {
    if (typeof options.model !== 'string' || options.model === '')
      throw new AgentConfigError('`model` is required, e.g. "us.amazon.nova-pro-v1:0".');
    checkModelId(options.model);
    checkInference(options.inference);
    const maxSteps = options.maxSteps ?? 10;
    positiveInteger('maxSteps', maxSteps);
    const toolConcurrency = options.toolConcurrency ?? 8;
    positiveInteger('toolConcurrency', toolConcurrency);
    const repairs = options.toolUseRepair?.maxAttempts ?? 2;
    if (!Number.isInteger(repairs) || repairs < 0) throw new AgentConfigError('`toolUseRepair.maxAttempts` must be an integer ≥ 0.');
    const retry = resolveRetry(options.retry);
    positiveInteger('retry.maxAttempts', retry.maxAttempts);

    const model = modelInfo(options.model);
    const price = options.price ?? model.price;
    if (options.maxCostUsd !== undefined) {
      if (!(options.maxCostUsd > 0)) throw new AgentConfigError('`maxCostUsd` must be a positive number of USD.');
      if (!price) {
        throw new AgentConfigError(
          `No price is known for ${options.model}, so maxCostUsd cannot be enforced. Pass \`price\` (USD per 1M tokens).`,
        );
      }
    }
    const tools = checkToolSet(options.tools ?? []);
    const system = typeof options.system === 'string' ? (options.system ? [{ text: options.system }] : undefined) : options.system;
    const toolSpecs = [...tools.values()].map((tool) => tool.spec);

    this.model = options.model;
    this.memory = options.memory ?? new InMemorySessionStore();
    this.ownsClient = options.client === undefined;
    this.config = {
      client: options.client ?? createBedrockClient(options.clientConfig),
      modelId: options.model,
      model,
      stream: options.stream ?? true,
      retry,
      toolUseRepairs: repairs,
      base: {
        ...(system && system.length > 0 ? { system } : {}),
        ...(toolSpecs.length > 0 ? { toolConfig: { tools: toolSpecs } } : {}),
      },
      random: Math.random,
      price,
      tools,
      inference: resolveInference(options.inference, model, tools.size > 0, options.greedyToolDecoding ?? true),
      maxSteps,
      maxCostUsd: options.maxCostUsd,
      toolConcurrency,
      toolTimeoutMs: options.toolTimeoutMs ?? 60_000,
      memory: this.memory,
      finalStepPrompt: options.finalStepPrompt ?? DEFAULT_FINAL_STEP_PROMPT,
      context: options.context,
      // Counted as one user message would be: the same estimate the policies use for messages.
      fixedTokens: options.context
        ? estimateTokens({ role: 'user', content: [{ text: JSON.stringify(system ?? []) + JSON.stringify(toolSpecs) }] })
        : 0,
    };
  }

  /** Runs to the end and returns the result; the same run as `stream()`, drained. */
  async run(input: string | ContentBlock[], options: RunOptions = {}): Promise<RunResult> {
    // The same loop as stream(), drained here without stream()'s own generator around it: one
    // async-generator hop less for every event of the run.
    const run = this.start(input, options);
    try {
      for (;;) {
        const next = await run.loop.next();
        if (next.done) {
          run.finished = true;
          return next.value;
        }
        this.emit(next.value);
      }
    } finally {
      await this.end(run);
    }
  }

  /**
   * Runs, yielding every event as it happens; the generator's return value is the `RunResult`
   * (also in the last event, 'run-end'). Stopping the iteration early cancels the run.
   */
  async *stream(input: string | ContentBlock[], options: RunOptions = {}): AsyncGenerator<AgentEvent, RunResult> {
    const run = this.start(input, options);
    try {
      for (;;) {
        const next = await run.loop.next();
        if (next.done) {
          run.finished = true;
          return next.value;
        }
        this.emit(next.value);
        yield next.value;
      }
    } finally {
      await this.end(run);
    }
  }

  /** Closes the connections of the client the agent made (a client you passed in is left alone). */
  close(): void {
    if (this.ownsClient) this.config.client.destroy();
  }

  private start(input: string | ContentBlock[], options: RunOptions): ActiveRun {
    checkPrompt(input);
    const controller = new AbortController();
    const outer = options.signal;
    const onAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener('abort', onAbort, { once: true });
    const loop = runLoop(this.config, {
      runId: randomUUID(),
      sessionId: options.sessionId ?? randomUUID(),
      input,
      signal: controller.signal,
      sessionAttributes: options.sessionAttributes,
    });
    return { loop, controller, outer, onAbort, finished: false };
  }

  private async end(run: ActiveRun): Promise<void> {
    run.outer?.removeEventListener('abort', run.onAbort);
    // A loop that returned has nothing left running. Any other end (the consumer stopped
    // iterating, or the loop threw) cancels whatever may still be running, tools included.
    if (run.finished) return;
    run.controller.abort(new Error('The run was stopped by its consumer.'));
    await run.loop.return(undefined as never).catch(() => undefined);
  }

  private emit(event: AgentEvent): void {
    // Listener count first: no work at all for event types nobody listens to.
    if (this.events.listenerCount(event.type) === 0) return;
    if (event.type === 'trace') this.events.emit('trace', event.part);
    else (this.events.emit as (type: string, event: AgentEvent) => boolean)(event.type, event);
  }
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new AgentConfigError(`\`${name}\` must be an integer ≥ 1 (got ${value}).`);
}
