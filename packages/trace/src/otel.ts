import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type TracerProvider } from '@opentelemetry/api';
import { toolResultText } from '@novaloop/core';
import { listen, type Heard, type Traceable } from './listen.js';
import { createRedactor, type RedactOptions } from './redact.js';

// OpenTelemetry GenAI semantic conventions (https://opentelemetry.io/docs/specs/semconv/gen-ai/): an
// agent run is an `invoke_agent` span; each model request a `chat {model}` child; each tool call an
// `execute_tool {name}` child of the run. Only @opentelemetry/api is used, so spans go wherever the
// application's registered tracer provider sends them, and nowhere when it has none.

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
  tools: Map<string, Span>;
  modelSet: boolean;
}

/** Turns every run of the agents it is attached to into GenAI spans. */
export function otelTracing(options: OtelTracingOptions = {}): OtelTracing {
  const redact = createRedactor(options.redact);
  const text = (value: unknown): string => {
    const clean = redact(value);
    return typeof clean === 'string' ? clean : JSON.stringify(clean);
  };
  const runs = new Map<string, RunSpans>();
  const base: Attributes = { 'gen_ai.provider.name': PROVIDER, 'gen_ai.system': PROVIDER };

  const fail = (span: Span, type: string, message: string) => {
    const clean = text(message);
    span.setAttribute('error.type', type);
    span.recordException({ name: type, message: clean });
    span.setStatus({ code: SpanStatusCode.ERROR, message: clean });
  };

  const onEvent = (event: Heard) => {
    if (event.type === 'run-start') {
      const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
      const name = options.agentName ? `invoke_agent ${options.agentName}` : 'invoke_agent';
      const run = tracer.startSpan(name, {
        kind: SpanKind.INTERNAL,
        attributes: {
          ...base,
          'gen_ai.operation.name': 'invoke_agent',
          ...(options.agentName ? { 'gen_ai.agent.name': options.agentName } : {}),
          ...(options.agentId ? { 'gen_ai.agent.id': options.agentId } : {}),
          'gen_ai.conversation.id': event.sessionId,
          'novaloop.run_id': event.runId,
        },
      });
      // Without a registered provider the span records nothing: keep no state and do no more work for this run.
      if (run.isRecording()) runs.set(event.runId, { run, chat: undefined, tools: new Map(), modelSet: false });
      return;
    }
    const spans = runs.get(event.runId);
    if (!spans) return;
    const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
    const parent = trace.setSpan(context.active(), spans.run);
    switch (event.type) {
      case 'model-request': {
        spans.chat?.end();
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
        spans.chat = tracer.startSpan(`chat ${event.modelId}`, { kind: SpanKind.CLIENT, attributes }, parent);
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
        spans.tools.set(event.toolUseId, tracer.startSpan(`execute_tool ${event.name}`, { kind: SpanKind.INTERNAL, attributes }, parent));
        return;
      }
      case 'tool-end': {
        const { call } = event;
        const span = spans.tools.get(call.toolUseId);
        if (!span) return;
        spans.tools.delete(call.toolUseId);
        if (options.captureContent) span.setAttribute('gen_ai.tool.call.result', text(toolResultText(call.content)));
        if (call.status === 'error') fail(span, 'tool_error', call.error ?? toolResultText(call.content));
        span.end();
        return;
      }
      case 'error': {
        const { error } = event;
        if (spans.chat) fail(spans.chat, error.code, error.message);
        endOpen(spans, 'run_failed');
        fail(spans.run, error.code, error.message);
        spans.run.end();
        runs.delete(event.runId);
        return;
      }
      case 'run-end': {
        const { result } = event;
        if (spans.chat) fail(spans.chat, 'aborted', `The run ended (${result.stopReason}) before the model answered.`);
        endOpen(spans, result.stopReason);
        spans.run.setAttributes({
          'gen_ai.usage.input_tokens': result.usage.inputTokens,
          'gen_ai.usage.output_tokens': result.usage.outputTokens,
          'gen_ai.response.finish_reasons': [result.stopReason],
          'novaloop.stop_reason': result.stopReason,
          'novaloop.steps': result.steps.length,
        });
        if (result.costUsd !== undefined) spans.run.setAttribute('novaloop.cost_usd', result.costUsd);
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

/** Ends the spans a run leaves open when it stops early (an abort during a model call or tool, a failure). */
function endOpen(spans: RunSpans, why: string): void {
  spans.chat?.end();
  spans.chat = undefined;
  for (const span of spans.tools.values()) {
    span.setAttribute('error.type', why);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `The run ended (${why}) before the tool finished.` });
    span.end();
  }
  spans.tools.clear();
}
