import type { StopReason } from '@aws-sdk/client-bedrock-runtime';
import type { NovaloopErrorCode } from '../errors.js';
import type { JsonValue } from '../json.js';
import type { Usage } from '../model/usage.js';
import type { RouteDecision } from '../routing/choose-route.js';

// Trace parts follow Bedrock Agents' InvokeAgent trace (`TracePart` of
// @aws-sdk/client-bedrock-agent-runtime): every field Agents also has has Agents' type and values, so
// tooling written for Agents reads them. novaloop's extra fields (runId, attempt, messages, status,
// input, ...) are kept beside them; the README lists them.

export interface ModelInvocationInput {
  traceId: string;
  /** 'ROUTING_CLASSIFIER' in a routingClassifierTrace, as in Agents. */
  type: 'ORCHESTRATION' | 'ROUTING_CLASSIFIER';
  foundationModel: string;
  inferenceConfiguration: {
    maximumLength?: number;
    temperature?: number;
    topP?: number;
    topK?: number;
    stopSequences?: string[];
  };
  /** novaloop's: the conversation sent, as its message count and JSON size in bytes. */
  messages: { count: number; sizeBytes: number };
  /** novaloop's: counts every request of the step from 1 (retries, repairs, summaries included). */
  attempt: number;
}

export interface ModelInvocationOutput {
  traceId: string;
  /** `content` is the assistant message as JSON. */
  rawResponse: { content: string };
  /** novaloop's: the Converse stop reason. */
  stopReason: StopReason;
  metadata: { usage: Usage; startTime: Date; endTime: Date; totalTimeMs: number };
}

export interface Rationale {
  traceId: string;
  text: string;
}

/** One input parameter of a tool call, as Agents reports function parameters. */
export interface TraceParameter {
  name: string;
  /** The JSON type: 'string', 'number', 'integer', 'boolean', 'array', 'object' or 'null'. */
  type: string;
  /** Strings as they are, anything else as JSON. */
  value: string;
}

export interface ActionGroupInvocationInput {
  traceId: string;
  invocationType: 'ACTION_GROUP';
  actionGroupInvocationInput: {
    /** The tool name. */
    function: string;
    /** The toolUseId. */
    invocationId: string;
    /** The top-level input fields, as Agents lists a function's parameters. */
    parameters: TraceParameter[];
    /** novaloop's: the input object as the model sent it. */
    input: unknown;
    /**
     * Agents' values: 'LAMBDA' for a call the agent runs itself, 'RETURN_CONTROL' for one handed to the
     * application (a tool that returns control, or a call waiting for approval).
     */
    executionType: 'LAMBDA' | 'RETURN_CONTROL';
    /** novaloop's: what was dropped from the tool's JSON Schema to make it one Nova accepts (`jsonSchemaTool`). */
    schemaNotes?: string[];
  };
}

export interface KnowledgeBaseInvocationInput {
  traceId: string;
  invocationType: 'KNOWLEDGE_BASE';
  knowledgeBaseLookupInput: { text: string; knowledgeBaseId: string };
  /** novaloop's: the tool name and toolUseId of the call. */
  function: string;
  invocationId: string;
}

export interface FinishInvocationInput {
  traceId: string;
  invocationType: 'FINISH';
}

/** A call of a collaborator agent (`agent.asTool()`), as Agents records a multi-agent collaborator call. */
export interface AgentCollaboratorInvocationInput {
  traceId: string;
  invocationType: 'AGENT_COLLABORATOR';
  agentCollaboratorInvocationInput: { agentCollaboratorName: string; input: { type: 'TEXT'; text: string } };
  /** novaloop's: the tool name and toolUseId of the call. */
  function: string;
  invocationId: string;
}

/** What the agent does next, by `invocationType`. */
export type InvocationInput =
  ActionGroupInvocationInput | KnowledgeBaseInvocationInput | AgentCollaboratorInvocationInput | FinishInvocationInput;

export interface ActionGroupObservation {
  traceId: string;
  type: 'ACTION_GROUP';
  actionGroupInvocationOutput: {
    /** novaloop's: the tool name, toolUseId and outcome. */
    function: string;
    invocationId: string;
    status: 'success' | 'error';
    text: string;
  };
}

/** A source a knowledge-base tool returned, in Agents' `RetrievedReference` shape (a subset of its fields). */
export interface RetrievedReference {
  content?: { type?: 'TEXT' | 'IMAGE' | 'ROW' | 'AUDIO' | 'VIDEO'; text?: string };
  location?: {
    type: 'S3' | 'WEB' | 'CONFLUENCE' | 'SALESFORCE' | 'SHAREPOINT' | 'CUSTOM' | 'KENDRA' | 'SQL' | 'ONEDRIVE' | 'GOOGLEDRIVE';
    s3Location?: { uri?: string };
    webLocation?: { url?: string };
    customDocumentLocation?: { id?: string };
  };
  metadata?: Record<string, JsonValue>;
}

export interface KnowledgeBaseObservation {
  traceId: string;
  type: 'KNOWLEDGE_BASE';
  knowledgeBaseLookupOutput: { retrievedReferences: RetrievedReference[] };
  /** novaloop's: the toolUseId of the call. */
  invocationId: string;
}

export interface FinishObservation {
  traceId: string;
  type: 'FINISH';
  finalResponse: { text: string };
}

/** Why novaloop asked the model again (a broken tool call). */
export interface RepromptObservation {
  traceId: string;
  type: 'REPROMPT';
  repromptResponse: { text: string; source: 'PARSER' };
}

/** The agent asks the user: a call that waits for approval. */
export interface AskUserObservation {
  traceId: string;
  type: 'ASK_USER';
  /** The question, e.g. `Approve restart_service {"service":"api"}?` */
  finalResponse: { text: string };
  /** novaloop's: the tool name, toolUseId and the pause's invocationId. */
  function: string;
  toolUseId: string;
  invocationId: string;
}

/** A collaborator's answer (or failure), as Agents records it. */
export interface AgentCollaboratorObservation {
  traceId: string;
  type: 'AGENT_COLLABORATOR';
  agentCollaboratorInvocationOutput: {
    agentCollaboratorName: string;
    output: { type: 'TEXT'; text: string };
    metadata: { totalTimeMs: number };
  };
  /** novaloop's: the toolUseId of the call, its outcome, and the collaborator's run (absent if it never started). */
  invocationId: string;
  status: 'success' | 'error';
  collaboratorRunId?: string;
}

/** What the agent saw, by `type`. */
export type Observation =
  | ActionGroupObservation
  | KnowledgeBaseObservation
  | AgentCollaboratorObservation
  | FinishObservation
  | RepromptObservation
  | AskUserObservation;

export type OrchestrationTrace =
  | { modelInvocationInput: ModelInvocationInput }
  | { modelInvocationOutput: ModelInvocationOutput }
  | { rationale: Rationale }
  | { invocationInput: InvocationInput }
  | { observation: Observation };

export interface FailureTrace {
  traceId: string;
  failureReason: string;
  /** An HTTP status, as in Agents: Bedrock's own for a failed request, else 400 for bad input or setup, 500 otherwise. */
  failureCode: number;
  /** novaloop's: the error's `code`. */
  errorCode: NovaloopErrorCode;
}

/** novaloop's: how a cascade chose the run's route and model. */
export interface RoutingObservation {
  traceId: string;
  /** The run's `result.route`: the same decision. */
  routingDecision: RouteDecision;
}

/**
 * A cascade's routing, as Agents' router reports it: the classifier's model invocation input and
 * output (when a classifier ran), then the decision.
 */
export type RoutingClassifierTrace =
  { modelInvocationInput: ModelInvocationInput } | { modelInvocationOutput: ModelInvocationOutput } | { observation: RoutingObservation };

export interface TracePart {
  /** novaloop's: the run the part belongs to. */
  runId: string;
  sessionId: string;
  /** novaloop's: for a collaborator's part, the supervisor's run that called it, and the collaborator's name. */
  parentRunId?: string;
  collaboratorName?: string;
  eventTime: Date;
  trace: { orchestrationTrace: OrchestrationTrace } | { routingClassifierTrace: RoutingClassifierTrace } | { failureTrace: FailureTrace };
}
