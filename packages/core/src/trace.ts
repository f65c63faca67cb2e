import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { InferenceSettings } from './inference.js';
import type { ToolCall } from './step.js';
import type { ToolTraceAs } from './tool.js';
import { toolResultText } from './tool-output.js';
import type { Usage } from './usage.js';

// Trace parts follow Bedrock Agents' InvokeAgent trace, so teams moving off Agents read them the same
// way. Fields that need serialising (raw response, tool output text, message sizes) are computed on
// first read, so a run nobody traces never serialises anything for its trace.

export interface ModelInvocationInput {
  traceId: string;
  type: 'ORCHESTRATION';
  foundationModel: string;
  inferenceConfiguration: {
    maximumLength?: number;
    temperature?: number;
    topP?: number;
    topK?: number;
    stopSequences?: string[];
  };
  /** The conversation sent: message count and JSON size in bytes. */
  messages: { count: number; sizeBytes: number };
  /** 1 for the first request of the step; higher for retries and tool-use repairs. */
  attempt: number;
}

export interface ModelInvocationOutput {
  traceId: string;
  /** `content` is the assistant message as JSON. */
  rawResponse: { content: string };
  stopReason: string;
  metadata: { usage: Usage; startTime: Date; endTime: Date; totalTimeMs: number };
}

export interface Rationale {
  traceId: string;
  text: string;
}

export interface InvocationInput {
  traceId: string;
  invocationType: 'ACTION_GROUP' | 'KNOWLEDGE_BASE' | 'FINISH';
  actionGroupInvocationInput?: {
    /** The tool name. */
    function: string;
    /** The toolUseId. */
    invocationId: string;
    input: unknown;
    /** Tools run in the agent's own process. */
    executionType: 'INLINE';
  };
  /** For a tool defined with `traceAs: { type: 'KNOWLEDGE_BASE' }`: its `query` input. */
  knowledgeBaseLookupInput?: { text: string; knowledgeBaseId: string };
}

export interface Observation {
  traceId: string;
  type: 'ACTION_GROUP' | 'KNOWLEDGE_BASE' | 'FINISH' | 'REPROMPT';
  actionGroupInvocationOutput?: { function: string; invocationId: string; status: 'success' | 'error'; text: string };
  /** For a knowledge-base tool's successful call: the `retrievedReferences` it returned. */
  knowledgeBaseLookupOutput?: { retrievedReferences: unknown[] };
  finalResponse?: { text: string };
  /** Why novaloop asked the model again (a broken tool call). */
  repromptResponse?: { text: string; source: 'PARSER' };
}

export type OrchestrationTrace =
  | { modelInvocationInput: ModelInvocationInput }
  | { modelInvocationOutput: ModelInvocationOutput }
  | { rationale: Rationale }
  | { invocationInput: InvocationInput }
  | { observation: Observation };

export interface FailureTrace {
  traceId: string;
  failureReason: string;
  failureCode: string;
}

export interface TracePart {
  runId: string;
  sessionId: string;
  eventTime: Date;
  trace: { orchestrationTrace: OrchestrationTrace } | { failureTrace: FailureTrace };
}

/** Builds the trace parts of one run. */
export class TraceRecorder {
  readonly parts: TracePart[] = [];
  private sizes = new MessageSizes([]);

  constructor(
    private readonly runId: string,
    private readonly sessionId: string,
  ) {}

  /** The run's conversation, once loaded: an append-only list whose sizes the trace reports. */
  track(messages: readonly Message[]): void {
    this.sizes = new MessageSizes(messages);
  }

  traceId(stepIndex: number): string {
    return `${this.runId}-${stepIndex}`;
  }

  /**
   * `sent` is where the sent messages start in the tracked conversation and how many there are;
   * `first` is given when the first one was changed on the way (a summary put before it).
   */
  modelInput(
    stepIndex: number,
    modelId: string,
    inference: InferenceSettings,
    sent: { start: number; count: number; first?: Message | undefined },
    attempt: number,
  ): TracePart {
    const sizes = this.sizes;
    const inferenceConfiguration: ModelInvocationInput['inferenceConfiguration'] = {};
    if (inference.maxTokens !== undefined) inferenceConfiguration.maximumLength = inference.maxTokens;
    if (inference.temperature !== undefined) inferenceConfiguration.temperature = inference.temperature;
    if (inference.topP !== undefined) inferenceConfiguration.topP = inference.topP;
    if (inference.topK !== undefined) inferenceConfiguration.topK = inference.topK;
    if (inference.stopSequences !== undefined) inferenceConfiguration.stopSequences = inference.stopSequences;
    const messages = lazy({ count: sent.count }, 'sizeBytes', () => sizes.sizeOf(sent.start, sent.start + sent.count, sent.first));
    return this.orchestration({
      modelInvocationInput: {
        traceId: this.traceId(stepIndex),
        type: 'ORCHESTRATION',
        foundationModel: modelId,
        inferenceConfiguration,
        messages,
        attempt,
      },
    });
  }

  modelOutput(stepIndex: number, message: Message, stopReason: string, usage: Usage, startTime: Date, endTime: Date): TracePart {
    return this.orchestration({
      modelInvocationOutput: {
        traceId: this.traceId(stepIndex),
        rawResponse: lazy({}, 'content', () => JSON.stringify(message)),
        stopReason,
        metadata: { usage, startTime, endTime, totalTimeMs: endTime.getTime() - startTime.getTime() },
      },
    });
  }

  rationale(stepIndex: number, text: string): TracePart {
    return this.orchestration({ rationale: { traceId: this.traceId(stepIndex), text } });
  }

  toolInput(stepIndex: number, toolUseId: string, name: string, input: unknown, traceAs?: ToolTraceAs): TracePart {
    const query = isRecord(input) ? input.query : undefined;
    if (traceAs?.type === 'KNOWLEDGE_BASE' && typeof query === 'string') {
      return this.orchestration({
        invocationInput: {
          traceId: this.traceId(stepIndex),
          invocationType: 'KNOWLEDGE_BASE',
          knowledgeBaseLookupInput: { text: query, knowledgeBaseId: traceAs.knowledgeBaseId },
        },
      });
    }
    return this.orchestration({
      invocationInput: {
        traceId: this.traceId(stepIndex),
        invocationType: 'ACTION_GROUP',
        actionGroupInvocationInput: { function: name, invocationId: toolUseId, input, executionType: 'INLINE' },
      },
    });
  }

  toolObservation(stepIndex: number, call: ToolCall, traceAs?: ToolTraceAs): TracePart {
    const json = call.status === 'success' && call.content.length === 1 ? call.content[0]?.json : undefined;
    const references = isRecord(json) ? json.retrievedReferences : undefined;
    if (traceAs?.type === 'KNOWLEDGE_BASE' && Array.isArray(references)) {
      return this.orchestration({
        observation: {
          traceId: this.traceId(stepIndex),
          type: 'KNOWLEDGE_BASE',
          knowledgeBaseLookupOutput: { retrievedReferences: references },
        },
      });
    }
    const output = lazy({ function: call.name, invocationId: call.toolUseId, status: call.status }, 'text', () =>
      toolResultText(call.content),
    );
    return this.orchestration({
      observation: { traceId: this.traceId(stepIndex), type: 'ACTION_GROUP', actionGroupInvocationOutput: output },
    });
  }

  finish(stepIndex: number, text: string): TracePart[] {
    const traceId = this.traceId(stepIndex);
    return [
      this.orchestration({ invocationInput: { traceId, invocationType: 'FINISH' } }),
      this.orchestration({ observation: { traceId, type: 'FINISH', finalResponse: { text } } }),
    ];
  }

  reprompt(stepIndex: number, reason: string): TracePart {
    return this.orchestration({
      observation: { traceId: this.traceId(stepIndex), type: 'REPROMPT', repromptResponse: { text: reason, source: 'PARSER' } },
    });
  }

  failure(stepIndex: number, reason: string, code: string): TracePart {
    return this.record({ failureTrace: { traceId: this.traceId(stepIndex), failureReason: reason, failureCode: code } });
  }

  private orchestration(trace: OrchestrationTrace): TracePart {
    return this.record({ orchestrationTrace: trace });
  }

  private record(trace: TracePart['trace']): TracePart {
    const part: TracePart = { runId: this.runId, sessionId: this.sessionId, eventTime: new Date(), trace };
    this.parts.push(part);
    return part;
  }
}

/**
 * JSON sizes of a growing, append-only message list, memoised as prefix sums: reading the size at
 * every step costs only the new messages, never the whole history again.
 */
class MessageSizes {
  private readonly prefix: number[] = [0];

  constructor(private readonly messages: readonly Message[]) {}

  /** JSON.stringify's length of `messages[start, end)`, with `first` in place of `messages[start]` if given. */
  sizeOf(start: number, end: number, first?: Message): number {
    for (let i = this.prefix.length - 1; i < end; i++) {
      const message = this.messages[i];
      // Commas between messages and the brackets are counted too: the total is JSON.stringify's length.
      const bytes = message === undefined ? 0 : Buffer.byteLength(JSON.stringify(message)) + (i > 0 ? 1 : 0);
      this.prefix.push((this.prefix[i] ?? 0) + bytes);
    }
    if (end <= start) return 2;
    // A range not starting at 0 has no comma before its first message.
    let total = (this.prefix[end] ?? 0) - (this.prefix[start] ?? 0) - (start > 0 ? 1 : 0);
    if (first) {
      const original = (this.prefix[start + 1] ?? 0) - (this.prefix[start] ?? 0) - (start > 0 ? 1 : 0);
      total += Buffer.byteLength(JSON.stringify(first)) - original;
    }
    return total + 2;
  }
}

/** Adds an enumerable property computed on first read (JSON.stringify reads it too), then kept. */
function lazy<T extends object, K extends string, V>(target: T, key: K, compute: () => V): T & Record<K, V> {
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get(): V {
      const value = compute();
      Object.defineProperty(target, key, { value, enumerable: true, configurable: false, writable: false });
      return value;
    },
  });
  return target as T & Record<K, V>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
