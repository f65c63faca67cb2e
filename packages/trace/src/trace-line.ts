import type { Heard } from './listen.js';

/**
 * novaloop's additions to a line. Agents' trace parts carry no tool timings, retry causes, step costs
 * or run outcome; these fields do, so the viewer can draw the run without guessing.
 */
export type NovaloopFields =
  | { event: 'run-start'; input: string }
  | { event: 'step-start'; step: number }
  | { event: 'retry'; step: number; attempt: number; delayMs: number; reason: string; error: { code: string; message: string } }
  | {
      event: 'step-end';
      step: number;
      modelId: string;
      stopReason: string;
      startTime: Date;
      endTime: Date;
      latencyMs: number;
      attempts: number;
      usage: { inputTokens: number; outputTokens: number; totalTokens: number };
      costUsd: number | null;
    }
  | {
      event: 'run-end';
      stopReason: string;
      steps: number;
      usage: { inputTokens: number; outputTokens: number; totalTokens: number };
      costUsd: number | null;
    }
  /** Added to a trace part of a step: which step, and for a model output its cost, for an observation the tool's time. */
  | { event: 'part'; step: number; costUsd?: number | null; durationMs?: number; error?: string };

/**
 * One line of a JSONL trace file: an Agents-shaped trace part wrapper, plus `novaloop`. novaloop's own
 * records (run start and end, step boundaries, retries) use Agents' `customOrchestrationTrace` kind, so
 * every line is a valid trace part for tools that read Agents traces.
 */
export interface TraceLine {
  runId: string;
  sessionId: string;
  eventTime: Date | string;
  trace: Record<string, unknown>;
  novaloop?: NovaloopFields;
}

/** Builds lines from the events of any number of interleaved runs. */
export class TraceLineBuilder {
  /** Per run: its current step, the cost of its last model response, and tool-end facts by toolUseId. */
  private readonly runs = new Map<
    string,
    { step: number; costUsd: number | null; tools: Map<string, { durationMs: number; error?: string }> }
  >();

  /** The lines for `event` (none for events only the console shows). */
  lines(event: Heard): TraceLine[] {
    const ids = { runId: event.runId, sessionId: event.sessionId };
    const custom = (text: string, novaloop: NovaloopFields, eventTime: Date = new Date()): TraceLine => ({
      ...ids,
      eventTime,
      trace: { customOrchestrationTrace: { traceId: event.runId, event: { text } } },
      novaloop,
    });
    switch (event.type) {
      case 'run-start': {
        this.runs.set(event.runId, { step: 0, costUsd: null, tools: new Map() });
        const input = (event.input.content ?? []).map((block) => block.text ?? '').join('\n');
        return [custom('novaloop run-start', { event: 'run-start', input })];
      }
      case 'step-start':
        this.run(event.runId).step = event.stepIndex;
        return [custom(`novaloop step-start ${event.stepIndex}`, { event: 'step-start', step: event.stepIndex })];
      case 'model-response':
        this.run(event.runId).costUsd = event.costUsd ?? null;
        return [];
      case 'tool-end': {
        const { call } = event;
        this.run(event.runId).tools.set(call.toolUseId, {
          durationMs: call.durationMs,
          ...(call.error !== undefined ? { error: call.error } : {}),
        });
        return [];
      }
      case 'retry':
        return [
          custom(`novaloop retry ${event.attempt}`, {
            event: 'retry',
            step: event.stepIndex,
            attempt: event.attempt,
            delayMs: event.delayMs,
            reason: event.reason,
            error: event.error,
          }),
        ];
      case 'step-end': {
        const { step } = event;
        const { inputTokens, outputTokens, totalTokens } = step.usage;
        return [
          custom(`novaloop step-end ${step.index}`, {
            event: 'step-end',
            step: step.index,
            modelId: step.modelId,
            stopReason: step.stopReason,
            startTime: step.startTime,
            endTime: step.endTime,
            latencyMs: step.latencyMs,
            attempts: step.attempts,
            usage: { inputTokens, outputTokens, totalTokens },
            costUsd: step.costUsd ?? null,
          }),
        ];
      }
      case 'run-end': {
        const { result } = event;
        const { inputTokens, outputTokens, totalTokens } = result.usage;
        this.runs.delete(event.runId);
        return [
          custom(`novaloop run-end ${result.stopReason}`, {
            event: 'run-end',
            stopReason: result.stopReason,
            steps: result.steps.length,
            usage: { inputTokens, outputTokens, totalTokens },
            costUsd: result.costUsd ?? null,
          }),
        ];
      }
      case 'error':
        // The failureTrace part before it says what failed; the run is over.
        this.runs.delete(event.runId);
        return [];
      case 'trace':
        return [this.partLine(event)];
      default:
        return [];
    }
  }

  private partLine(event: Extract<Heard, { type: 'trace' }>): TraceLine {
    const { part } = event;
    const state = this.runs.get(event.runId);
    const line: TraceLine = {
      runId: part.runId,
      sessionId: part.sessionId,
      eventTime: part.eventTime,
      trace: part.trace as unknown as Record<string, unknown>,
    };
    if (!state) return line;
    const fields: Extract<NovaloopFields, { event: 'part' }> = { event: 'part', step: state.step };
    const orchestration = (part.trace as { orchestrationTrace?: Record<string, unknown> }).orchestrationTrace;
    if (orchestration && 'modelInvocationOutput' in orchestration) fields.costUsd = state.costUsd;
    const output = (orchestration?.observation as { actionGroupInvocationOutput?: { invocationId?: string } } | undefined)
      ?.actionGroupInvocationOutput;
    const tool = output?.invocationId !== undefined ? state.tools.get(output.invocationId) : undefined;
    if (tool) {
      fields.durationMs = tool.durationMs;
      if (tool.error !== undefined) fields.error = tool.error;
      state.tools.delete(output?.invocationId ?? '');
    }
    line.novaloop = fields;
    return line;
  }

  private run(runId: string) {
    let state = this.runs.get(runId);
    if (!state) {
      state = { step: 0, costUsd: null, tools: new Map() };
      this.runs.set(runId, state);
    }
    return state;
  }
}
