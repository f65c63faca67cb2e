import { ROOT_CONTEXT, SpanKind, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { TracePart } from '@novaloop/core';

// A collaborator's run (`agent.asTool()`) reaches its supervisor's listeners only as trace parts
// ('collaborator-trace' events): its own run, step and tool events go to the collaborator agent's
// emitter. So its spans are made from those parts, each at the part's time, as children of the
// supervisor's `execute_tool` span that started it.

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** An open `execute_tool` span; a collaborator call's span is the parent of that collaborator's run. */
export interface ToolSpan {
  span: Span;
  /** Set for a call of a collaborator: its name, and whether a run already hangs off it. */
  collaboratorName?: string;
  claimed?: boolean;
}

interface RunState {
  run: Span;
  parentTool: Span;
  chat: Span | undefined;
  tools: Map<string, ToolSpan>;
  inputTokens: number;
  outputTokens: number;
  modelSet: boolean;
}

export interface PartSpansOptions {
  base: Attributes;
  text: (value: unknown) => string;
  fail: (span: Span, type: string, message: string) => void;
  captureContent: boolean;
}

/** Spans of the collaborator runs under one tracing: made from their parts, ended with the call that started them. */
export class CollaboratorSpans {
  private readonly runs = new Map<string, RunState>();

  constructor(private readonly options: PartSpansOptions) {}

  /**
   * Adds `part` of a collaborator's run. `parentTool` finds the supervisor's open tool-call span for a
   * run whose parent is a top-level run (by the event's toolUseId); a collaborator's own collaborator
   * hangs off that collaborator's open call of the same name.
   */
  add(tracer: Tracer, part: TracePart, parentTool: () => ToolSpan | undefined): void {
    const at = new Date(part.eventTime);
    let spans = this.runs.get(part.runId);
    if (!spans) {
      const tool = this.parentOf(part) ?? parentTool();
      if (!tool) return;
      tool.claimed = true;
      const name = part.collaboratorName ?? tool.collaboratorName ?? 'collaborator';
      const run = tracer.startSpan(
        `invoke_agent ${name}`,
        {
          kind: SpanKind.INTERNAL,
          startTime: at,
          attributes: {
            ...this.options.base,
            'gen_ai.operation.name': 'invoke_agent',
            'gen_ai.agent.name': name,
            'gen_ai.conversation.id': part.sessionId,
            'novaloop.run_id': part.runId,
            ...(part.parentRunId !== undefined ? { 'novaloop.parent_run_id': part.parentRunId } : {}),
          },
        },
        trace.setSpan(ROOT_CONTEXT, tool.span),
      );
      spans = { run, parentTool: tool.span, chat: undefined, tools: new Map(), inputTokens: 0, outputTokens: 0, modelSet: false };
      this.runs.set(part.runId, spans);
    }
    this.addPart(tracer, spans, part, at);
  }

  /** Ends the runs started by the call whose span is `tool` (the call has ended). */
  endUnder(tool: Span, at?: Date): void {
    for (const [runId, spans] of this.runs) {
      if (spans.parentTool !== tool) continue;
      this.runs.delete(runId);
      for (const child of spans.tools.values()) this.endUnder(child.span, at);
      spans.chat?.end(at);
      for (const child of spans.tools.values()) child.span.end(at);
      spans.run.setAttributes({ 'gen_ai.usage.input_tokens': spans.inputTokens, 'gen_ai.usage.output_tokens': spans.outputTokens });
      spans.run.end(at);
    }
  }

  private parentOf(part: TracePart): ToolSpan | undefined {
    const parent = part.parentRunId !== undefined ? this.runs.get(part.parentRunId) : undefined;
    if (!parent) return undefined;
    for (const tool of parent.tools.values()) {
      if (tool.collaboratorName === part.collaboratorName && !tool.claimed) return tool;
    }
    return undefined;
  }

  private addPart(tracer: Tracer, spans: RunState, part: TracePart, at: Date): void {
    const { base, fail, text, captureContent } = this.options;
    const kind = part.trace as Obj;
    const failure = obj(kind.failureTrace);
    if (failure) {
      const code = str(failure.errorCode) ?? String(failure.failureCode ?? 'failed');
      if (spans.chat) fail(spans.chat, code, str(failure.failureReason) ?? code);
      fail(spans.run, code, str(failure.failureReason) ?? code);
      return;
    }
    const orchestration = obj(kind.orchestrationTrace) ?? obj(kind.routingClassifierTrace);
    if (!orchestration) return;
    const parent = trace.setSpan(ROOT_CONTEXT, spans.run);
    const input = obj(orchestration.modelInvocationInput);
    if (input) {
      spans.chat?.end(at);
      const model = str(input.foundationModel) ?? 'unknown';
      const inference = obj(input.inferenceConfiguration) ?? {};
      const step = /-(\d+)$/.exec(str(input.traceId) ?? '')?.[1];
      const attributes: Attributes = {
        ...base,
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': model,
        ...(step !== undefined ? { 'novaloop.step': Number(step) } : { 'novaloop.purpose': 'routing' }),
      };
      if (num(input.attempt) !== undefined) attributes['novaloop.attempt'] = num(input.attempt);
      if (num(inference.maximumLength) !== undefined) attributes['gen_ai.request.max_tokens'] = num(inference.maximumLength);
      if (num(inference.temperature) !== undefined) attributes['gen_ai.request.temperature'] = num(inference.temperature);
      if (num(inference.topP) !== undefined) attributes['gen_ai.request.top_p'] = num(inference.topP);
      if (num(inference.topK) !== undefined) attributes['gen_ai.request.top_k'] = num(inference.topK);
      if (!spans.modelSet && step !== undefined) {
        spans.run.setAttribute('gen_ai.request.model', model);
        spans.modelSet = true;
      }
      spans.chat = tracer.startSpan(`chat ${model}`, { kind: SpanKind.CLIENT, startTime: at, attributes }, parent);
      return;
    }
    const output = obj(orchestration.modelInvocationOutput);
    if (output) {
      const usage = obj(obj(output.metadata)?.usage);
      const inputTokens = num(usage?.inputTokens) ?? 0;
      const outputTokens = num(usage?.outputTokens) ?? 0;
      spans.inputTokens += inputTokens;
      spans.outputTokens += outputTokens;
      spans.chat?.setAttributes({
        'gen_ai.usage.input_tokens': inputTokens,
        'gen_ai.usage.output_tokens': outputTokens,
        ...(str(output.stopReason) !== undefined ? { 'gen_ai.response.finish_reasons': [str(output.stopReason) ?? ''] } : {}),
      });
      spans.chat?.end(at);
      spans.chat = undefined;
      return;
    }
    const decision = obj(obj(orchestration.observation)?.routingDecision);
    if (decision) {
      spans.run.setAttributes({ 'novaloop.route': str(decision.route) ?? '', 'novaloop.route.source': str(decision.source) ?? '' });
      return;
    }
    const invocation = obj(orchestration.invocationInput);
    if (invocation) {
      const group = obj(invocation.actionGroupInvocationInput);
      const collaborator = obj(invocation.agentCollaboratorInvocationInput);
      const name = str(group?.function) ?? str(invocation.function);
      const id = str(group?.invocationId) ?? str(invocation.invocationId);
      if (name === undefined || id === undefined) return;
      const attributes: Attributes = {
        ...base,
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': name,
        'gen_ai.tool.call.id': id,
        'gen_ai.tool.type': 'function',
      };
      const executionType = str(group?.executionType);
      if (executionType !== undefined) attributes['novaloop.execution_type'] = executionType;
      if (captureContent && group) attributes['gen_ai.tool.call.arguments'] = text(group.input ?? {});
      const collaboratorName = str(collaborator?.agentCollaboratorName);
      if (collaboratorName !== undefined) attributes['novaloop.collaborator.name'] = collaboratorName;
      const span = tracer.startSpan(`execute_tool ${name}`, { kind: SpanKind.INTERNAL, startTime: at, attributes }, parent);
      spans.tools.set(id, { span, ...(collaboratorName !== undefined ? { collaboratorName } : {}) });
      return;
    }
    const observation = obj(orchestration.observation);
    if (!observation) return;
    const group = obj(observation.actionGroupInvocationOutput);
    const id = str(group?.invocationId) ?? str(observation.invocationId);
    const tool = id !== undefined ? spans.tools.get(id) : undefined;
    if (!tool || observation.type === 'ASK_USER') return;
    spans.tools.delete(id ?? '');
    const status = str(group?.status) ?? str(observation.status);
    const result = str(group?.text) ?? str(obj(obj(observation.agentCollaboratorInvocationOutput)?.output)?.text);
    if (captureContent && result !== undefined) tool.span.setAttribute('gen_ai.tool.call.result', text(result));
    if (status === 'error') fail(tool.span, 'tool_error', result ?? 'The tool failed.');
    this.endUnder(tool.span, at);
    tool.span.end(at);
  }
}
