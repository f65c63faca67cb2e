import type { ToolResultContentBlock, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { performance } from 'node:perf_hooks';
import type { AgentEvent, Emit } from '../loop/events.js';
import type { ToolCall } from '../loop/run-result.js';
import type { Tool, ToolContext } from './tool.js';
import { toToolResult, toolResultText } from './tool-output.js';
import { CollaboratorPaused, type CollaboratorResume, type PausedCall } from '../loop/collaborator-pause.js';
import { parentRuns } from '../loop/parent-run.js';
import type { RunTotals } from '../loop/run-totals.js';

export interface DispatchOptions {
  ids: { runId: string; sessionId: string; stepIndex: number };
  tools: ReadonlyMap<string, Tool>;
  concurrency: number;
  /** For tools without their own `timeoutMs`. */
  defaultTimeoutMs: number;
  signal: AbortSignal;
  context: Omit<ToolContext, 'signal' | 'toolUseId'>;
  /** The run's totals, where a collaborator tool counts its run's cost. */
  totals: RunTotals;
  keepsSession: boolean;
  /**
   * A resume's calls that continue a paused collaborator, by toolUseId: they started in the paused
   * run, so they have no tool-start and no input check here.
   */
  resumes?: ReadonlyMap<string, CollaboratorResume>;
  /** Where `tool-start` and `tool-end` go, as they happen. */
  emit: Emit;
  /** `stream()`'s: resolves once its consumer took every event so far (see `AsyncQueue.taken`). */
  handedOut?: (() => Promise<void>) | undefined;
}

/** A turn's calls: those that ended, in the model's order, and those waiting on a paused collaborator. */
export interface Dispatched {
  calls: ToolCall[];
  paused: PausedCall[];
}

/**
 * Runs the tool calls of one model turn, at most `concurrency` at a time, emitting `tool-start` and
 * `tool-end` as they happen, and returns the results in the order the model asked for them. Every
 * failure becomes an error result the model can act on; nothing here throws, so the loop can always
 * answer every toolUse. A collaborator call whose run paused has no `tool-end`: it waits, in `paused`.
 */
export async function dispatchTools(uses: readonly ToolUseBlock[], options: DispatchOptions): Promise<Dispatched> {
  const { ids, emit } = options;
  const results: (ToolCall | PausedCall)[] = new Array(uses.length);
  const pausedSessions = new Set<string>();
  // One listener on the run's signal for the whole turn, rather than one added and removed per call.
  const running = new Set<() => void>();
  const onRunAbort = () => {
    for (const stop of running) stop();
  };
  options.signal.addEventListener('abort', onRunAbort, { once: true });
  let next = 0;
  const worker = async () => {
    while (next < uses.length) {
      const index = next++;
      const use = uses[index] as ToolUseBlock;
      const toolUseId = use.toolUseId ?? '';
      const { runId, sessionId, stepIndex } = ids;
      if (!options.resumes?.has(toolUseId))
        emit({ type: 'tool-start', runId, sessionId, stepIndex, toolUseId, name: use.name ?? '', input: use.input });
      if (options.handedOut) await options.handedOut();
      const outcome = await runOne(use, options, emit, pausedSessions, running);
      results[index] = outcome;
      if (!('wait' in outcome)) emit({ type: 'tool-end', runId, sessionId, stepIndex, call: outcome });
    }
  };
  try {
    // One call (the usual turn) needs no pool of workers.
    if (uses.length === 1 || options.concurrency === 1) await worker();
    else await Promise.all(Array.from({ length: Math.min(options.concurrency, uses.length) }, worker));
  } finally {
    options.signal.removeEventListener('abort', onRunAbort);
  }
  const dispatched: Dispatched = { calls: [], paused: [] };
  for (const outcome of results) {
    if ('wait' in outcome) dispatched.paused.push(outcome);
    else dispatched.calls.push(outcome);
  }
  return dispatched;
}

async function runOne(
  use: ToolUseBlock,
  options: DispatchOptions,
  emit: (event: AgentEvent) => void,
  pausedSessions: Set<string>,
  running: Set<() => void>,
): Promise<ToolCall | PausedCall> {
  const started = performance.now();
  const toolUseId = use.toolUseId ?? '';
  const name = use.name ?? '';
  const finish = (status: ToolCall['status'], content: ToolResultContentBlock[], error?: string): ToolCall => {
    const call: ToolCall = { toolUseId, name, input: use.input, status, content, durationMs: performance.now() - started };
    if (error !== undefined) call.error = error;
    return call;
  };
  const fail = (message: string) => finish('error', [{ text: message }], message);

  if (options.signal.aborted) return fail(`Not run: the request was cancelled before ${name} started.`);
  const tool = options.tools.get(name);
  if (!tool) {
    const known = [...options.tools.keys()];
    return fail(
      known.length > 0
        ? `Unknown tool "${name}". The available tools are: ${known.join(', ')}. Call one of those.`
        : `Unknown tool "${name}". No tools are available; answer without them.`,
    );
  }
  const timeoutMs = tool.timeoutMs ?? options.defaultTimeoutMs;
  // The call's signal is made when the tool first reads it: most tools never do. Until then a
  // timeout or an abort is only remembered, and a signal made later starts aborted.
  let controller: AbortController | undefined;
  let stopReason: unknown;
  let given: 'timeout' | 'aborted' | undefined;
  let settle: (why: 'timeout' | 'aborted') => void = () => undefined;
  const stop = (why: 'timeout' | 'aborted', reason: unknown) => {
    if (given) return;
    given = why;
    stopReason = reason;
    controller?.abort(reason);
    settle(why);
  };
  const signalOf = (): AbortSignal => {
    if (!controller) {
      controller = new AbortController();
      if (given) controller.abort(stopReason);
    }
    return controller.signal;
  };
  // A tool that ignores its signal must not hold the run: the race settles on timeout or abort.
  const stopped = new Promise<'timeout' | 'aborted'>((resolve) => (settle = resolve));
  const timer = setTimeout(() => stop('timeout', new Error(`${name} timed out after ${timeoutMs} ms`)), timeoutMs);
  const onRunAbort = () => stop('aborted', options.signal.reason);
  running.add(onRunAbort);
  // Validation is part of the call: a slow async refinement is bound by the same timeout and abort,
  // and a tool whose call was already given up never runs.
  const resume = options.resumes?.get(toolUseId);
  // A collaborator given up on (timeout, abort) may still be winding down: what it sends after the
  // call's tool-end is dropped, so the stream never shows parts of a call already answered.
  let open = true;
  const work = async (): Promise<{ value: unknown } | { invalid: string } | undefined> => {
    // A resumed collaborator call's input was checked when it started, in the paused run.
    const parsed = resume ? { ok: true as const, value: use.input } : await tool.parseInput(use.input);
    if (!parsed.ok) return { invalid: parsed.message };
    if (given) return undefined;
    const { runId, sessionId, stepIndex } = options.ids;
    const context: ToolContext = {
      runId: options.context.runId,
      sessionId: options.context.sessionId,
      stepIndex: options.context.stepIndex,
      session: options.context.session,
      toolUseId,
      get signal() {
        return signalOf();
      },
    };
    // Only a collaborator reads its supervisor's run from the context.
    if (tool.traceAs?.type === 'AGENT_COLLABORATOR') {
      parentRuns.set(context, {
        runId,
        sessionId,
        stepIndex,
        toolUseId,
        totals: options.totals,
        keepsSession: options.keepsSession,
        emit: (event) => {
          if (open) emit(event);
        },
        resume,
        pausedSessions,
      });
    }
    return { value: await tool.execute(parsed.value, context) };
  };
  try {
    const outcome = await Promise.race([work(), stopped]);
    if (outcome === 'timeout')
      return fail(`Tool ${name} did not finish within ${timeoutMs} ms and was cancelled. Try again, or ask for less at once.`);
    if (outcome === 'aborted' || outcome === undefined) return fail(`Cancelled: the request was aborted while ${name} was running.`);
    if ('invalid' in outcome) return fail(outcome.invalid);
    if (outcome.value instanceof CollaboratorPaused) return outcome.value.waitOf(use);
    const result = toToolResult(outcome.value);
    return finish(result.status, result.content, result.status === 'error' ? toolResultText(result.content) : undefined);
  } catch (error) {
    if (options.signal.aborted) return fail(`Cancelled: the request was aborted while ${name} was running.`);
    const message = error instanceof Error ? error.message : String(error);
    return fail(`Tool ${name} failed: ${message}`);
  } finally {
    open = false;
    clearTimeout(timer);
    running.delete(onRunAbort);
  }
}
