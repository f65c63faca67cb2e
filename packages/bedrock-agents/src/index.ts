export { fromBedrockAgent, MigratedAgent } from './from-bedrock-agent.js';
export type { FromBedrockAgentOptions, MigratedAction, BedrockAgentSource } from './from-bedrock-agent.js';
export type { MigrationNote } from './migration-report.js';
export { IdleSessionStore } from './idle-session-store.js';
export { BedrockAgentsError } from './errors.js';
export type { BedrockAgentsErrorCode } from './errors.js';
export { invokeAgentStream } from './invoke-agent-stream.js';
export type {
  InvokeAgentEvent,
  InvokeAgentStreamOptions,
  InvokeAgentSessionState,
  InvokeAgentTracePart,
  ReturnControlPayload,
  ReturnControlInvocationResult,
  FunctionInvocationInput,
  ApiInvocationInput,
} from './invoke-agent-stream.js';
export type { EventParameter } from './lambda-executor.js';
