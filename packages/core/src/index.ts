export { Agent } from './agent.js';
export type { AgentOptions, RunOptions } from './agent.js';
export { tool } from './tool.js';
export { toolResultText } from './tool-output.js';
export type { Tool, ToolContext, ToolSession, ToolOptions, ToolTraceAs, InferToolInput, ZodLikeSchema } from './tool.js';
export type { JsonSchemaObject } from './tool-schema.js';
export type { AgentEvent, AgentEventMap, AgentEventType } from './events.js';
export type {
  TracePart,
  OrchestrationTrace,
  ModelInvocationInput,
  ModelInvocationOutput,
  Rationale,
  InvocationInput,
  Observation,
  FailureTrace,
} from './trace.js';
export type { RunResult, RunStopReason } from './run-result.js';
export type { Step, ToolCall } from './step.js';
export type { Usage } from './usage.js';
export { costOf } from './usage.js';
export { modelInfo, baseModelId } from './model-catalog.js';
export type { ModelInfo, ModelPrice } from './model-catalog.js';
export type { InferenceOptions, InferenceSettings } from './inference.js';
export type { RetryOptions } from './retry-policy.js';
export { createBedrockClient } from './client.js';
export type { ClientConfig } from './client.js';
export { InMemorySessionStore, checkAppend, checkSessionId, MAX_SESSION_ID_LENGTH } from './session-store.js';
export type { SessionStore, SessionState, SessionUpdate, SessionSummary, SessionAttributes, JsonValue } from './session-store.js';
export { slidingWindow, summarizing, estimateTokens, isCutPoint, windowMessages } from './context.js';
export type {
  ContextPolicy,
  ContextRequest,
  ContextWindow,
  ContextSummary,
  CompletionRequest,
  SlidingWindowOptions,
  SummarizingOptions,
} from './context.js';
export {
  NovaloopError,
  ToolDefinitionError,
  AgentConfigError,
  BedrockRequestError,
  MalformedToolUseError,
  ContextWindowExceededError,
  SessionConflictError,
  SessionStoreError,
  SessionInputError,
  SessionCorruptError,
} from './errors.js';
