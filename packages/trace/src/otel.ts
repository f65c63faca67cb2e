import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
  type Span,
  type SpanContext,
  type TracerProvider,
} from '@opentelemetry/api';
import { toolResultText } from '@novaloop/core';
import { listen, type Heard, type Traceable } from './listen.js';
import { CollaboratorSpans, type ToolSpan } from './otel-collaborators.js';
import { createRedactor, type RedactOptions } from './redact.js';

// OpenTelemetry GenAI semantic conventions (https://opentelemetry.io/docs/specs/semconv/gen-ai/): an
// agent run is an `invoke_agent` span; each model request a `chat {model}` child; each tool call an
// `execute_tool {name}` child of the run. A cascade's routing is a `route` span before the first step,
// its classifier's request a `chat` child of it. A collaborator's run (`agent.asTool()`) is an
// `invoke_agent {name}` child of the supervisor's `execute_tool` span that called it. A pause is a
// `novaloop.pause` event on the run span; the resumed run is a new `invoke_agent` span (same
// `novaloop.run_id`) linked to the paused one, with a `novaloop.resume` event. Only
// @opentelemetry/api is used, so spans go wherever the application's registered tracer provider
// sends them, and nowhere when it has none.

export interface OtelTracingOptions {
  /** Default: the globally registered provider (`trace.setGlobalTracerProvider`, or an SDK's `register()`). */
  tracerProvider?: TracerProvider;
  /** `gen_ai.agent.name`, also in the run span's name (`invoke_agent {name}`). */
  agentName?: string;
  /** `gen_ai.agent.id`. */
  agentId?: string;
  /**
   * Record tool arguments and results (`gen_ai.tool.call.arguments` / `gen_ai.tool.call.result`),
   * redacted. Off by default, as the conventions advise: they can hold user data.
   */
  captureContent?: boolean;
  /** What to hide in every attribute and error message (default: the built-in keys and patterns); `false` hides nothing. */
  redact?: RedactOptions | false;
}

export interface OtelTracing {
  /** Starts making spans for `agent`'s runs; returns the function that stops. */
  attach(agent: Traceable): () => void;
}

const PROVIDER = 'aws.bedrock';
const TRACER_NAME = '@novaloop/trace';

interface RunSpans {
  run: Span;
  chat: Span | undefined;
  /** The open `route` span (from the classifier's first request to the decision). */
  route: Span | undefined;
  tools: Map<string, ToolSpan>;
  modelSet: boolean;
  /** A resumed run's answered calls, by toolUseId (a returned-control answer has no tool-start). */
  answered: Map<string, string>;
}

/** Paused runs remembered so that their resume links to them; the oldest are forgotten past this many. */
const MAX_PAUSED = 1000;

/** Turns every run of the agents it is attached to into GenAI spans. */
export function otelTracing(options: OtelTracingOptions = {}): OtelTracing {
  const redact = createRedactor(options.redact);
  const text = (value: unknown): string => {
    const clean = redact(value);
    return typeof clean === 'string' ? clean : JSON.stringify(clean);
  };
  const runs = new Map<string, RunSpans>();
  const paused = new Map<string, SpanContext>();
  const base: Attributes = { 'gen_ai.provider.name': PROVIDER, 'gen_ai.system': PROVIDER };

  const fail = (span: Span, type: string, message: string) => {
    const clean = text(message);
    span.setAttribute('error.type', type);
    span.recordException({ name: type, message: clean });
    span.setStatus({ code: SpanStatusCode.ERROR, message: clean });
  };
  const collaborators = new CollaboratorSpans({ base, text, fail, captureContent: options.captureContent === true });

  const onEvent = (event: Heard) => {
    if (event.type === 'run-start') {
      const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
      const name = options.agentName ? `invoke_agent ${options.agentName}` : 'invoke_agent';
      const pausedRun = event.resumes !== undefined ? paused.get(event.runId) : undefined;
      if (pausedRun) paused.delete(event.runId);
      const links: Link[] = pausedRun ? [{ context: pausedRun, attributes: { 'novaloop.link': 'resumes' } }] : [];
      const run = tracer.startSpan(name, {
        kind: SpanKind.INTERNAL,
        links,
        attributes: {
          ...base,
          'gen_ai.operation.name': 'invoke_agent',
          ...(options.agentName ? { 'gen_ai.agent.name': options.agentName } : {}),
          ...(options.agentId ? { 'gen_ai.agent.id': options.agentId } : {}),
          'gen_ai.conversation.id': event.sessionId,
          'novaloop.run_id': event.runId,
          ...(event.resumes !== undefined ? { 'novaloop.resumes': event.resumes } : {}),
        },
      });
      // Without a registered provider the span records nothing: keep no state and do no more work for this run.
      if (run.isRecording())
        runs.set(event.runId, { run, chat: undefined, route: undefined, tools: new Map(), modelSet: false, answered: new Map() });
      return;
    }
    const spans = runs.get(event.runId);
    if (!spans) return;
    const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
    const parent = trace.setSpan(context.active(), spans.run);
    switch (event.type) {
      case 'model-request': {
        spans.chat?.end();
        const routing = event.purpose === 'routing';
        if (routing && !spans.route) spans.route = startRoute(tracer, parent);
        // The run's model is its steps' (a cascade's classifier call comes first).
        if (!spans.modelSet && event.purpose === 'step') {
          spans.run.setAttribute('gen_ai.request.model', event.modelId);
          spans.modelSet = true;
        }
        const { inference } = event;
        const attributes: Attributes = {
          ...base,
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': event.modelId,
          'novaloop.step': event.stepIndex,
          'novaloop.attempt': event.attempt,
        };
        if (inference.maxTokens !== undefined) attributes['gen_ai.request.max_tokens'] = inference.maxTokens;
        if (inference.temperature !== undefined) attributes['gen_ai.request.temperature'] = inference.temperature;
        if (inference.topP !== undefined) attributes['gen_ai.request.top_p'] = inference.topP;
        if (inference.topK !== undefined) attributes['gen_ai.request.top_k'] = inference.topK;
        if (inference.stopSequences !== undefined) attributes['gen_ai.request.stop_sequences'] = inference.stopSequences;
        if (routing) attributes['novaloop.purpose'] = 'routing';
        const under = routing && spans.route ? trace.setSpan(context.active(), spans.route) : parent;
        spans.chat = tracer.startSpan(`chat ${event.modelId}`, { kind: SpanKind.CLIENT, attributes }, under);
        return;
      }
      case 'route': {
        const { decision } = event;
        const route = spans.route ?? startRoute(tracer, parent);
        spans.route = undefined;
        if (spans.chat) {
          // The classifier's request did not answer (the cascade fell back).
          fail(spans.chat, 'classifier_failed', decision.reason ?? 'The classifier did not answer.');
          spans.chat.end();
          spans.chat = undefined;
        }
        route.setAttributes({
          'novaloop.route': decision.route,
          'novaloop.route.model': decision.modelId,
          'novaloop.route.source': decision.source,
          'gen_ai.usage.input_tokens': decision.usage.inputTokens,
          'gen_ai.usage.output_tokens': decision.usage.outputTokens,
          'novaloop.latency_ms': decision.latencyMs,
        });
        if (decision.classifierModelId !== undefined) route.setAttribute('gen_ai.request.model', decision.classifierModelId);
        if (decision.reason !== undefined) route.setAttribute('novaloop.route.fallback_reason', text(decision.reason));
        if (decision.costUsd !== undefined) route.setAttribute('novaloop.cost_usd', decision.costUsd);
        route.end();
        spans.run.setAttributes({ 'novaloop.route': decision.route, 'novaloop.route.source': decision.source });
        return;
      }
      case 'pause': {
        spans.run.addEvent('novaloop.pause', {
          'novaloop.invocation_id': event.invocationId,
          'novaloop.stop_reason': event.stopReason,
          'novaloop.step': event.stepIndex,
          'gen_ai.tool.name': event.calls.map((call) => call.name),
          'gen_ai.tool.call.id': event.calls.map((call) => call.toolUseId),
          'novaloop.pause.kind': event.calls.map((call) => call.kind),
          // A call inside a paused collaborator by its path (billing/refund_order); the run's own by name.
          'novaloop.pause.call_path': event.calls.map((call) => [...(call.collaborator ?? []), call.name].join('/')),
        });
        spans.run.setAttribute('novaloop.invocation_id', event.invocationId);
        paused.delete(event.runId);
        paused.set(event.runId, spans.run.spanContext());
        if (paused.size > MAX_PAUSED) paused.delete(paused.keys().next().value ?? '');
        return;
      }
      case 'resume': {
        spans.run.addEvent('novaloop.resume', {
          'novaloop.invocation_id': event.invocationId,
          'novaloop.step': event.stepIndex,
          'gen_ai.tool.name': event.calls.map((call) => call.name),
          'gen_ai.tool.call.id': event.calls.map((call) => call.toolUseId),
        });
        for (const call of event.calls) spans.answered.set(call.toolUseId, call.kind);
        return;
      }
      case 'collaborator-trace': {
        let call = spans.tools.get(event.toolUseId);
        if (!call && event.part.parentRunId === event.runId) {
          // A call that waited on its paused collaborator goes on in this resumed run (it has no tool-start here).
          const attributes: Attributes = {
            ...base,
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': event.collaboratorName,
            'gen_ai.tool.call.id': event.toolUseId,
            'gen_ai.tool.type': 'function',
            'novaloop.step': event.stepIndex,
            'novaloop.resumed': true,
          };
          call = { span: tracer.startSpan(`execute_tool ${event.collaboratorName}`, { kind: SpanKind.INTERNAL, attributes }, parent) };
          call.collaboratorName = event.collaboratorName;
          spans.tools.set(event.toolUseId, call);
        }
        collaborators.add(tracer, event.part, () => call);
        return;
      }
      case 'model-response': {
        const chat = spans.chat;
        if (!chat) return;
        chat.setAttributes({
          'gen_ai.usage.input_tokens': event.usage.inputTokens,
          'gen_ai.usage.output_tokens': event.usage.outputTokens,
          'gen_ai.response.finish_reasons': [event.stopReason],
        });
        if (event.usage.cacheReadInputTokens > 0)
          chat.setAttribute('gen_ai.usage.cache_read.input_tokens', event.usage.cacheReadInputTokens);
        if (event.usage.cacheWriteInputTokens > 0)
          chat.setAttribute('gen_ai.usage.cache_creation.input_tokens', event.usage.cacheWriteInputTokens);
        if (event.costUsd !== undefined) chat.setAttribute('novaloop.cost_usd', event.costUsd);
        chat.end();
        spans.chat = undefined;
        return;
      }
      case 'retry': {
        const chat = spans.chat;
        if (!chat) return;
        // This request failed; the retry is a new `chat` span, so each attempt's time and error stay apart.
        fail(chat, event.error.code, event.error.message);
        chat.setAttribute('novaloop.retry_reason', event.reason);
        chat.end();
        spans.chat = undefined;
        return;
      }
      case 'tool-start': {
        const attributes: Attributes = {
          ...base,
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': event.name,
          'gen_ai.tool.call.id': event.toolUseId,
          'gen_ai.tool.type': 'function',
          'novaloop.step': event.stepIndex,
        };
        if (options.captureContent) attributes['gen_ai.tool.call.arguments'] = text(event.input ?? {});
        if (spans.answered.has(event.toolUseId)) attributes['novaloop.approved'] = true;
        const span = tracer.startSpan(`execute_tool ${event.name}`, { kind: SpanKind.INTERNAL, attributes }, parent);
        // A collaborator's run hangs off this span; its name is the tool's (agent.asTool's `name`).
        spans.tools.set(event.toolUseId, { span, collaboratorName: event.name });
        return;
      }
      case 'tool-end': {
        const { call } = event;
        let span = spans.tools.get(call.toolUseId)?.span;
        if (!span && spans.answered.get(call.toolUseId) === 'return_control') {
          // The application ran this call while the run was paused: its answer arrives with the resume.
          span = tracer.startSpan(
            `execute_tool ${call.name}`,
            {
              kind: SpanKind.INTERNAL,
              attributes: {
                ...base,
                'gen_ai.operation.name': 'execute_tool',
                'gen_ai.tool.name': call.name,
                'gen_ai.tool.call.id': call.toolUseId,
                'gen_ai.tool.type': 'function',
                'novaloop.step': event.stepIndex,
                'novaloop.execution_type': 'RETURN_CONTROL',
              },
            },
            parent,
          );
        }
        if (!span) return;
        spans.tools.delete(call.toolUseId);
        if (options.captureContent) span.setAttribute('gen_ai.tool.call.result', text(toolResultText(call.content)));
        if (call.status === 'error') fail(span, 'tool_error', call.error ?? toolResultText(call.content));
        collaborators.endUnder(span);
        span.end();
        return;
      }
      case 'error': {
        const { error } = event;
        if (spans.chat) fail(spans.chat, error.code, error.message);
        endOpen(spans, 'run_failed', collaborators);
        fail(spans.run, error.code, error.message);
        spans.run.end();
        runs.delete(event.runId);
        return;
      }
      case 'run-end': {
        const { result } = event;
        if (spans.chat) fail(spans.chat, 'aborted', `The run ended (${result.stopReason}) before the model answered.`);
        endOpen(spans, result.stopReason, collaborators);
        spans.run.setAttributes({
          'gen_ai.usage.input_tokens': result.usage.inputTokens,
          'gen_ai.usage.output_tokens': result.usage.outputTokens,
          'gen_ai.response.finish_reasons': [result.stopReason],
          'novaloop.stop_reason': result.stopReason,
          'novaloop.steps': result.steps.length,
        });
        if (result.costUsd !== undefined) spans.run.setAttribute('novaloop.cost_usd', result.costUsd);
        // Per model (steps, classifier, collaborators): attributes are flat, so one JSON object.
        const byModel = Object.entries(result.usageByModel ?? {});
        if (byModel.length > 0) {
          const summary = Object.fromEntries(
            byModel.map(([model, { usage, costUsd }]) => [
              model,
              { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cost_usd: costUsd ?? null },
            ]),
          );
          spans.run.setAttribute('novaloop.usage_by_model', JSON.stringify(summary));
        }
        spans.run.end();
        runs.delete(event.runId);
        return;
      }
      default:
        return;
    }
  };

  return { attach: (agent) => listen(agent, onEvent) };
}

/** The `route` span of a cascade's routing decision (ended by the 'route' event). */
function startRoute(tracer: ReturnType<TracerProvider['getTracer']>, parent: ReturnType<typeof context.active>): Span {
  return tracer.startSpan(
    'route',
    {
      kind: SpanKind.INTERNAL,
      attributes: { 'gen_ai.provider.name': PROVIDER, 'gen_ai.system': PROVIDER, 'gen_ai.operation.name': 'route' },
    },
    parent,
  );
}

/** Ends the spans a run leaves open when it stops early (an abort during a model call or tool, a failure). */
function endOpen(spans: RunSpans, why: string, collaborators: CollaboratorSpans): void {
  spans.chat?.end();
  spans.chat = undefined;
  spans.route?.end();
  spans.route = undefined;
  // A pause is no failure: a call waiting on a paused collaborator goes on in the resumed run.
  const paused = why === 'return_control' || why === 'needs_approval';
  for (const { span } of spans.tools.values()) {
    collaborators.endUnder(span);
    if (paused) span.setAttribute('novaloop.paused', true);
    else {
      span.setAttribute('error.type', why);
      span.setStatus({ code: SpanStatusCode.ERROR, message: `The run ended (${why}) before the tool finished.` });
    }
    span.end();
  }
  spans.tools.clear();
}
