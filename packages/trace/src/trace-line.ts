import type { Heard } from './listen.js';

/**
 * novaloop's additions to a line. Agents' trace parts carry no tool timings, retry causes, step costs
 * or run outcome; these fields do, so the viewer can draw the run without guessing.
 */
export type NovaloopFields =
  /** `resumes`: the invocation a resumed run answers (it keeps the paused run's id and step numbers). */
  | { event: 'run-start'; input: string; resumes?: string }
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
      /** Per model id (the steps', a cascade's classifier, every collaborator's); cost null when unpriced. */
      usageByModel?: Record<string, { usage: { inputTokens: number; outputTokens: number; totalTokens: number }; costUsd: number | null }>;
    }
  /** The run stops to wait on the application: calls it must run (`return_control`) or approve (`needs_approval`). */
  | { event: 'pause'; step: number; invocationId: string; stopReason: string; calls: PausedCallFields[] }
  /** A resumed run answers the pause `invocationId`; its steps go on from `step + 1`. */
  | { event: 'resume'; step: number; invocationId: string; calls: PausedCallFields[] }
  /** Added to a trace part of a step: which step, and for a model output its cost, for an observation the tool's time. */
  | { event: 'part'; step: number; costUsd?: number | null; durationMs?: number; error?: string };

/** One call a pause waits on. `kind`: 'return_control' (the application runs it) or 'approval'. */
export interface PausedCallFields {
  toolUseId: string;
  name: string;
  kind: string;
  /** For a call inside a collaborator whose pause paused this run: the collaborator names, from this run's down. */
  collaborator?: string[];
}

/**
 * One line of a JSONL trace file: an Agents-shaped trace part wrapper, plus `novaloop`. novaloop's own
 * records (run start and end, step boundaries, retries) use Agents' `customOrchestrationTrace` kind, so
 * every line is a valid trace part for tools that read Agents traces.
 */
export interface TraceLine {
  runId: string;
  sessionId: string;
  /** For a collaborator's part (`agent.asTool()`): the supervisor's run that called it, and the collaborator's name. */
  parentRunId?: string;
  collaboratorName?: string;
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
  /**
   * Parts already written. A collaborator's part comes twice when the sink records both agents: from
   * the collaborator's own events, then handed on by its supervisor (the same object both times).
   */
  private readonly written = new WeakSet<object>();

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
        const resumes = event.resumes !== undefined ? { resumes: event.resumes } : {};
        return [custom('novaloop run-start', { event: 'run-start', input, ...resumes })];
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
      case 'pause':
        return [
          custom(`novaloop pause ${event.stopReason}`, {
            event: 'pause',
            step: event.stepIndex,
            invocationId: event.invocationId,
            stopReason: event.stopReason,
            calls: event.calls.map(pausedCall),
          }),
        ];
      case 'resume':
        this.run(event.runId).step = event.stepIndex;
        return [
          custom(`novaloop resume ${event.invocationId}`, {
            event: 'resume',
            step: event.stepIndex,
            invocationId: event.invocationId,
            calls: event.calls.map(pausedCall),
          }),
        ];
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
            usageByModel: Object.fromEntries(
              Object.entries(result.usageByModel ?? {}).map(([model, { usage, costUsd }]) => [
                model,
                {
                  usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.totalTokens },
                  costUsd: costUsd ?? null,
                },
              ]),
            ),
          }),
        ];
      }
      case 'error':
        // The failureTrace part before it says what failed; the run is over.
        this.runs.delete(event.runId);
        return [];
      case 'trace':
        if (this.written.has(event.part)) return [];
        this.written.add(event.part);
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
      ...(part.parentRunId !== undefined ? { parentRunId: part.parentRunId } : {}),
      ...(part.collaboratorName !== undefined ? { collaboratorName: part.collaboratorName } : {}),
      eventTime: part.eventTime,
      trace: part.trace as unknown as Record<string, unknown>,
    };
    // A routing part comes before step 1 and carries its own cost; a collaborator's part heard only through
    // its supervisor has no state here (its steps' costs and timings are in the collaborator's own events).
    if (!state || 'routingClassifierTrace' in part.trace) return line;
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

const pausedCall = (call: { toolUseId: string; name: string; kind: string; collaborator?: string[] }): PausedCallFields => ({
  toolUseId: call.toolUseId,
  name: call.name,
  kind: call.kind,
  ...(call.collaborator ? { collaborator: [...call.collaborator] } : {}),
});
