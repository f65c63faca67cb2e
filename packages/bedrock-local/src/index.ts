export { startLocalBedrock } from './server.js';
export type { LocalBedrock, LocalBedrockOptions, RecordedRequest } from './server.js';
export type { ConverseCall, ConverseRoute, Responder } from './converse.js';
export type { Script, ScriptScenario, ScriptTurn } from './script.js';
export type { Fault, FaultPlan, FaultRule, StreamExceptionType } from './faults.js';
export { BedrockServiceError, LocalBedrockScriptError } from './errors.js';
export { resolveModel } from './models.js';
export type { ModelInfo } from './models.js';
export { validateConverseRequest } from './validate.js';
export { countTextTokens, countBlockTokens } from './tokens.js';
export type {
  ContentBlock,
  ConverseRequestBody,
  Message,
  StopReason,
  TokenUsage,
  ToolSpec,
} from './wire-types.js';
