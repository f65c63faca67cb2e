export { Agent } from './loop/agent.js';
export type { AgentOptions, RunOptions } from './loop/agent.js';
export { cascade } from './routing/cascade.js';
export type { Cascade, CascadeOptions, ClassifierCascadeOptions, RuleCascadeOptions, RouteContext } from './routing/cascade.js';
export type { RouteDecision } from './routing/choose-route.js';
export type { ModelUsage } from './loop/run-totals.js';
export { classify } from './structured/classify.js';
export type { ClassifyOptions, ClassifyResult } from './structured/classify.js';
export { extract } from './structured/extract.js';
export type { ExtractOptions, ExtractResult } from './structured/extract.js';
export type { StructuredCallOptions } from './structured/call-options.js';
export type { PromptCacheMode } from './model/prompt-cache.js';
export { tool } from './tools/tool.js';
export { toolResultText } from './tools/tool-output.js';
export type { Tool, ToolContext, ToolSession, ToolOptions, ToolTraceAs, InferToolInput, ZodLikeSchema } from './tools/tool.js';
export type { JsonSchemaObject } from './tools/tool-schema.js';
export type { JsonValue } from './json.js';
export type { AgentEvent, AgentEventMap, AgentEventType, ModelCallPurpose } from './loop/events.js';
export type {
  TracePart,
  OrchestrationTrace,
  ModelInvocationInput,
  ModelInvocationOutput,
  Rationale,
  InvocationInput,
  ActionGroupInvocationInput,
  KnowledgeBaseInvocationInput,
  FinishInvocationInput,
  Observation,
  ActionGroupObservation,
  KnowledgeBaseObservation,
  FinishObservation,
  RepromptObservation,
  RoutingClassifierTrace,
  RoutingObservation,
  RetrievedReference,
  TraceParameter,
  FailureTrace,
} from './trace/trace-types.js';
export type { RunResult, RunStopReason, Step, ToolCall } from './loop/run-result.js';
export type { Usage } from './model/usage.js';
export { costOf } from './model/usage.js';
export { modelInfo, baseModelId } from './model/model-catalog.js';
export type { ModelInfo, ModelPrice } from './model/model-catalog.js';
export type { InferenceOptions, InferenceSettings } from './model/inference.js';
export type { RetryOptions } from './model/retry-policy.js';
export { createBedrockClient } from './model/client.js';
export type { ClientConfig } from './model/client.js';
export { InMemorySessionStore } from './session/session-store.js';
export type { SessionStore, SessionState, SessionUpdate, SessionSummary, SessionAttributes } from './session/session-store.js';
export { estimateTokens } from './context/estimate-tokens.js';
export { isCutPoint } from './context/policy.js';
export { slidingWindow } from './context/sliding-window.js';
export { summarizing } from './context/summarizing.js';
export type { ContextPolicy, ContextRequest, ContextWindow, ContextSummary, CompletionOptions } from './context/policy.js';
export type { SlidingWindowOptions } from './context/sliding-window.js';
export type { SummarizingOptions } from './context/summarizing.js';
export {
  NovaloopError,
  isNovaloopError,
  ToolDefinitionError,
  AgentConfigError,
  BedrockRequestError,
  MalformedToolUseError,
  ContextWindowExceededError,
  UnknownStopReasonError,
  ListenerError,
  SessionConflictError,
  SessionStoreError,
  SessionInputError,
  SessionCorruptError,
  RoutingConfigError,
  ClassifyConfigError,
  ExtractSchemaError,
  ClassificationError,
  ExtractionError,
} from './errors.js';
export type { NovaloopErrorCode, ToolCallErrorCode } from './errors.js';
export { BedrockUnreachableError, CredentialsMissingError, RegionMissingError } from './model/endpoint-errors.js';
export { formatUsd } from './model/money.js';
export { InvalidRequestError } from './model/preflight.js';
