import type { Message, ToolResultContentBlock } from '@aws-sdk/client-bedrock-runtime';
import type { NovaloopError } from '../errors.js';
import { sentMessages, type AgentEvent } from '../loop/events.js';
import type { RunResult, ToolCall } from '../loop/run-result.js';
import type { PendingCall } from '../session/session-store.js';
import type { CollaboratorOf } from '../loop/parent-run.js';
import { collaboratorPrompt } from '../loop/as-tool.js';
import type { Tool } from '../tools/tool.js';
import { toolResultText } from '../tools/tool-output.js';
import type {
  FailureTrace,
  InvocationInput,
  ModelInvocationInput,
  ModelInvocationOutput,
  Observation,
  OrchestrationTrace,
  RetrievedReference,
  TraceParameter,
  TracePart,
} from './trace-types.js';

/** Events whose trace parts come before them: a REPROMPT before its retry, FINISH before step-end, failureTrace before error. */
const BEFORE: ReadonlySet<AgentEvent['type']> = new Set(['retry', 'step-end', 'error']);

/**
 * The one place a run's trace comes from: it derives Bedrock-Agents-shaped parts from the run's
 * events. Fields that need serialising (message sizes, the raw response, tool parameters and output
 * text) are filled in by `ready` just before a part is handed out — to a 'trace' listener, a stream
 * consumer or `RunResult.trace` — so a run nobody traces serialises nothing, and every part handed
 * out is plain data (it can be frozen, cloned and serialised).
 */
export class TraceBuilder {
  private readonly all: TracePart[] = [];
  /**
   * Events not made into parts yet, each followed by when it happened (ms). A run nobody traces only
   * keeps its events here, and makes its parts if `RunResult.trace` is read.
   */
  private readonly backlog: (AgentEvent | number)[] = [];
  /** When the event being made into parts happened. */
  private now = 0;
  private readonly pending = new Map<TracePart, () => void>();
  private readonly sizes = new MessageSizes();
  private stepIndex = 0;
  private stepStart = new Date(0);
  /** The run of each collaborator call, by toolUseId, from the first of its parts. */
  private readonly collaboratorRuns = new Map<string, string>();

  constructor(
    /** The run's id; a resumed run takes the paused run's, from its events. */
    private runId: string,
    private readonly sessionId: string,
    private readonly tools: ReadonlyMap<string, Tool>,
    /** Set when this run is a collaborator's: every part carries the supervisor's run id and the name. */
    private readonly collaboratorOf?: CollaboratorOf,
  ) {}

  /** Whether the parts of `event` go before it in the stream (else after it). */
  static before(event: AgentEvent): boolean {
    return BEFORE.has(event.type);
  }

  /**
   * Keeps `event` to make its parts later, if anyone asks: the next `partsFor`, or `RunResult.trace`.
   * For a run nobody traces, this is all the trace costs while it runs.
   */
  defer(event: AgentEvent): void {
    if (event.type === 'run-end') this.offerTrace(event.result);
    else this.backlog.push(event, Date.now());
  }

  /** The parts `event` makes, not yet `ready`; `undefined` for most events. */
  partsFor(event: AgentEvent): TracePart[] | undefined {
    if (this.backlog.length > 0) this.catchUp();
    return this.partsAt(event, Date.now());
  }

  /** Makes the parts of the deferred events, in order, as they would have been made then. */
  private catchUp(): void {
    const events = this.backlog.splice(0);
    for (let i = 0; i < events.length; i += 2) this.partsAt(events[i] as AgentEvent, events[i + 1] as number);
  }

  private offerTrace(result: RunResult): void {
    // Read on demand: a run nobody traces computes nothing. The accessor never redefines itself,
    // so a frozen result still reads, and what it returns is plain data.
    Object.defineProperty(result, 'trace', { enumerable: true, get: () => this.readyAll() });
  }

  private partsAt(event: AgentEvent, now: number): TracePart[] | undefined {
    this.runId = event.runId;
    this.now = now;
    switch (event.type) {
      case 'step-start':
        this.stepIndex = event.stepIndex;
        this.stepStart = new Date(now);
        return undefined;
      case 'model-request':
        return event.purpose === 'step' || event.purpose === 'routing' ? [this.modelInput(event)] : undefined;
      case 'model-response':
        return event.purpose === 'step' || event.purpose === 'routing' ? [this.modelOutput(event)] : undefined;
      case 'route':
        return [
          this.record({ routingClassifierTrace: { observation: { traceId: this.routingTraceId(), routingDecision: event.decision } } }),
        ];
      case 'rationale':
        return [this.orchestration({ rationale: { traceId: this.traceId(), text: event.text } })];
      case 'retry':
        // A step's re-ask is Agents' REPROMPT; a classifier's is part of its routing, not of a step.
        return event.reason === 'malformed-tool-use' && event.purpose === 'step'
          ? [
              this.observation({
                traceId: this.traceId(),
                type: 'REPROMPT',
                repromptResponse: { text: event.error.message, source: 'PARSER' },
              }),
            ]
          : undefined;
      case 'tool-start':
        return [this.toolInput(event.toolUseId, event.name, event.input)];
      case 'tool-end':
        return [this.toolObservation(event.call)];
      case 'pause':
        // A collaborator's calls are in its own parts, handed on through 'collaborator-trace'.
        return event.calls.flatMap((call) => (call.collaborator ? [] : this.pauseParts(call)));
      case 'resume':
        this.stepIndex = event.stepIndex;
        return undefined;
      case 'collaborator-trace':
        // The collaborator's own builder made the part (with its parentRunId); this run hands it on.
        if (!this.collaboratorRuns.has(event.toolUseId)) this.collaboratorRuns.set(event.toolUseId, event.part.runId);
        this.all.push(event.part);
        return [event.part];
      case 'step-end':
        return event.step.toolCalls.length > 0 || event.step.pending !== undefined ? undefined : this.finish(event.step.text);
      case 'error':
        return [this.failure(event.error)];
      case 'run-end':
        this.offerTrace(event.result);
        return undefined;
      default:
        return undefined;
    }
  }

  /** Fills in `part`'s computed fields, once. */
  ready(part: TracePart): TracePart {
    const fill = this.pending.get(part);
    if (fill) {
      this.pending.delete(part);
      fill();
    }
    return part;
  }

  /** Every part of the run so far, ready. */
  readyAll(): TracePart[] {
    if (this.backlog.length > 0) this.catchUp();
    for (const fill of this.pending.values()) fill();
    this.pending.clear();
    return this.all;
  }

  private traceId(): string {
    return `${this.runId}-${this.stepIndex}`;
  }

  private routingTraceId(): string {
    return `${this.runId}-routing`;
  }

  private modelInput(event: Extract<AgentEvent, { type: 'model-request' }>): TracePart {
    const { inference } = event;
    const inferenceConfiguration: ModelInvocationInput['inferenceConfiguration'] = {};
    if (inference.maxTokens !== undefined) inferenceConfiguration.maximumLength = inference.maxTokens;
    if (inference.temperature !== undefined) inferenceConfiguration.temperature = inference.temperature;
    if (inference.topP !== undefined) inferenceConfiguration.topP = inference.topP;
    if (inference.topK !== undefined) inferenceConfiguration.topK = inference.topK;
    if (inference.stopSequences !== undefined) inferenceConfiguration.stopSequences = inference.stopSequences;
    const messages = { count: event.messageCount } as ModelInvocationInput['messages'];
    const routing = event.purpose === 'routing';
    const modelInvocationInput: ModelInvocationInput = {
      traceId: routing ? this.routingTraceId() : this.traceId(),
      type: routing ? 'ROUTING_CLASSIFIER' : 'ORCHESTRATION',
      foundationModel: event.modelId,
      inferenceConfiguration,
      messages,
      attempt: event.attempt,
    };
    const part = routing ? this.record({ routingClassifierTrace: { modelInvocationInput } }) : this.orchestration({ modelInvocationInput });
    const sent = sentMessages.get(event) ?? [];
    this.pending.set(part, () => (messages.sizeBytes = this.sizes.sizeOf(sent, event.messageCount)));
    return part;
  }

  private modelOutput(event: Extract<AgentEvent, { type: 'model-response' }>): TracePart {
    const routing = event.purpose === 'routing';
    const endTime = new Date(this.now);
    // A step's time runs from its start (retries included); the classifier's is its own latency.
    const startTime = routing ? new Date(endTime.getTime() - event.latencyMs) : this.stepStart;
    const rawResponse = {} as { content: string };
    const modelInvocationOutput: ModelInvocationOutput = {
      traceId: routing ? this.routingTraceId() : this.traceId(),
      rawResponse,
      stopReason: event.stopReason,
      metadata: { usage: event.usage, startTime, endTime, totalTimeMs: endTime.getTime() - startTime.getTime() },
    };
    const part = routing
      ? this.record({ routingClassifierTrace: { modelInvocationOutput } })
      : this.orchestration({ modelInvocationOutput });
    const message: Message = event.message;
    this.pending.set(part, () => (rawResponse.content = JSON.stringify(message)));
    return part;
  }

  private toolInput(toolUseId: string, name: string, input: unknown): TracePart {
    const traceId = this.traceId();
    const tool = this.tools.get(name);
    const traceAs = tool?.traceAs;
    if (traceAs?.type === 'AGENT_COLLABORATOR') {
      return this.orchestration({
        invocationInput: {
          traceId,
          invocationType: 'AGENT_COLLABORATOR',
          agentCollaboratorInvocationInput: {
            agentCollaboratorName: traceAs.collaboratorName,
            input: { type: 'TEXT', text: collaboratorPrompt(input) },
          },
          function: name,
          invocationId: toolUseId,
        },
      });
    }
    const query = isRecord(input) ? input.query : undefined;
    if (traceAs?.type === 'KNOWLEDGE_BASE' && typeof query === 'string') {
      return this.orchestration({
        invocationInput: {
          traceId,
          invocationType: 'KNOWLEDGE_BASE',
          knowledgeBaseLookupInput: { text: query, knowledgeBaseId: traceAs.knowledgeBaseId },
          function: name,
          invocationId: toolUseId,
        },
      });
    }
    const actionGroupInvocationInput = { function: name, invocationId: toolUseId, input, executionType: 'LAMBDA' } as Extract<
      InvocationInput,
      { invocationType: 'ACTION_GROUP' }
    >['actionGroupInvocationInput'];
    if (tool?.schemaNotes) actionGroupInvocationInput.schemaNotes = [...tool.schemaNotes];
    const part = this.orchestration({ invocationInput: { traceId, invocationType: 'ACTION_GROUP', actionGroupInvocationInput } });
    this.pending.set(part, () => (actionGroupInvocationInput.parameters = parametersOf(input)));
    return part;
  }

  /** Agents' record of a call handed to the application, and for an approval its question to the user. */
  private pauseParts(call: PendingCall): TracePart[] {
    const traceId = this.traceId();
    const { name, toolUseId, input } = call;
    const actionGroupInvocationInput = { function: name, invocationId: toolUseId, input, executionType: 'RETURN_CONTROL' } as Extract<
      InvocationInput,
      { invocationType: 'ACTION_GROUP' }
    >['actionGroupInvocationInput'];
    const part = this.orchestration({ invocationInput: { traceId, invocationType: 'ACTION_GROUP', actionGroupInvocationInput } });
    this.pending.set(part, () => (actionGroupInvocationInput.parameters = parametersOf(input)));
    if (call.kind !== 'approval') return [part];
    const question = { text: '' };
    const ask = this.observation({
      traceId,
      type: 'ASK_USER',
      finalResponse: question,
      function: name,
      toolUseId,
      invocationId: call.invocationId,
    });
    this.pending.set(ask, () => (question.text = `Approve ${name} ${JSON.stringify(input) ?? '{}'}?`));
    return [part, ask];
  }

  private toolObservation(call: ToolCall): TracePart {
    const traceId = this.traceId();
    const traceAs = this.tools.get(call.name)?.traceAs;
    if (traceAs?.type === 'AGENT_COLLABORATOR') {
      const output = { type: 'TEXT', text: '' } as { type: 'TEXT'; text: string };
      const collaboratorRunId = this.collaboratorRuns.get(call.toolUseId);
      const part = this.observation({
        traceId,
        type: 'AGENT_COLLABORATOR',
        agentCollaboratorInvocationOutput: {
          agentCollaboratorName: traceAs.collaboratorName,
          output,
          metadata: { totalTimeMs: Math.round(call.durationMs) },
        },
        invocationId: call.toolUseId,
        status: call.status,
        ...(collaboratorRunId ? { collaboratorRunId } : {}),
      });
      const content: readonly ToolResultContentBlock[] = call.content;
      this.pending.set(part, () => (output.text = toolResultText(content)));
      return part;
    }
    if (traceAs?.type === 'KNOWLEDGE_BASE') {
      const retrievedReferences = call.status === 'success' ? referencesOf(call.content) : undefined;
      if (retrievedReferences) {
        return this.observation({
          traceId,
          type: 'KNOWLEDGE_BASE',
          knowledgeBaseLookupOutput: { retrievedReferences },
          invocationId: call.toolUseId,
        });
      }
    }
    const output = { function: call.name, invocationId: call.toolUseId, status: call.status } as Extract<
      Observation,
      { type: 'ACTION_GROUP' }
    >['actionGroupInvocationOutput'];
    const part = this.observation({ traceId, type: 'ACTION_GROUP', actionGroupInvocationOutput: output });
    const content: readonly ToolResultContentBlock[] = call.content;
    this.pending.set(part, () => (output.text = toolResultText(content)));
    return part;
  }

  private finish(text: string): TracePart[] {
    const traceId = this.traceId();
    return [
      this.orchestration({ invocationInput: { traceId, invocationType: 'FINISH' } }),
      this.observation({ traceId, type: 'FINISH', finalResponse: { text } }),
    ];
  }

  private failure(error: NovaloopError): TracePart {
    const status = (error as { status?: unknown }).status;
    const failureCode = typeof status === 'number' ? status : CLIENT_ERRORS.has(error.code) ? 400 : 500;
    const failureTrace: FailureTrace = { traceId: this.traceId(), failureReason: error.message, failureCode, errorCode: error.code };
    return this.record({ failureTrace });
  }

  private observation(observation: Observation): TracePart {
    return this.orchestration({ observation });
  }

  private orchestration(trace: OrchestrationTrace): TracePart {
    return this.record({ orchestrationTrace: trace });
  }

  private record(trace: TracePart['trace']): TracePart {
    const part: TracePart = { runId: this.runId, sessionId: this.sessionId, ...this.collaboratorOf, eventTime: new Date(this.now), trace };
    this.all.push(part);
    return part;
  }
}

/** Errors caused by what the caller gave (input, setup): 400, as an HTTP API would answer. */
const CLIENT_ERRORS: ReadonlySet<string> = new Set(['TOOL_DEFINITION', 'AGENT_CONFIG', 'SESSION_INPUT', 'SESSION_CONFLICT']);

/**
 * JSON sizes of the arrays a run sends, memoised as prefix sums per array. The arrays are
 * append-only (the conversation, or a context window's copy of its end), so reading the size at
 * every step costs only the new messages, never the whole history again.
 */
class MessageSizes {
  private readonly prefixes = new WeakMap<readonly Message[], number[]>();

  /** JSON.stringify's byte length of `messages.slice(0, count)`. */
  sizeOf(messages: readonly Message[], count: number): number {
    let prefix = this.prefixes.get(messages);
    if (!prefix) this.prefixes.set(messages, (prefix = [0]));
    for (let i = prefix.length - 1; i < count; i++) {
      // The comma before every message but the first is counted too.
      prefix.push((prefix[i] ?? 0) + Buffer.byteLength(JSON.stringify(messages[i])) + (i > 0 ? 1 : 0));
    }
    return (prefix[count] ?? 0) + 2;
  }
}

/** A tool input's top-level fields as Agents' function parameters. */
function parametersOf(input: unknown): TraceParameter[] {
  if (!isRecord(input)) return [];
  return Object.entries(input).map(([name, value]) => ({
    name,
    type: jsonType(value),
    value: typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null'),
  }));
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The `retrievedReferences` array of a knowledge-base tool's JSON output, if it has one. */
function referencesOf(content: readonly ToolResultContentBlock[]): RetrievedReference[] | undefined {
  const json = content.length === 1 ? content[0]?.json : undefined;
  const references = isRecord(json) ? json.retrievedReferences : undefined;
  return Array.isArray(references) && references.every(isRecord) ? (references as RetrievedReference[]) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
