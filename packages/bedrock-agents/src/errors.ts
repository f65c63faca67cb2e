import { NovaloopError } from '@novaloop/core';

/** The codes this package's errors carry (members of core's `NovaloopErrorCode`). */
export type BedrockAgentsErrorCode =
  | 'AGENT_OPTIONS_INVALID'
  | 'AGENT_NOT_FOUND'
  | 'AGENT_READ_FAILED'
  | 'AGENT_SCHEMA_INVALID'
  | 'AGENT_SCHEMA_UNAVAILABLE'
  | 'INVOKE_AGENT_INPUT';

/**
 * Every error `fromBedrockAgent` and `invokeAgentStream` throw. `code` says which:
 * - `AGENT_OPTIONS_INVALID`: the call's options cannot work (no agentId, a version and an alias, ...).
 * - `AGENT_NOT_FOUND`: the agent, version or alias does not exist for these credentials and region.
 * - `AGENT_READ_FAILED`: a bedrock-agent read call failed otherwise (access denied, throttled, network).
 * - `AGENT_SCHEMA_INVALID`: an action group's function or API schema cannot become a tool.
 * - `AGENT_SCHEMA_UNAVAILABLE`: an API schema lives in S3; pass its text in `apiSchemas`.
 * - `INVOKE_AGENT_INPUT`: `invokeAgentStream` was given input it cannot use (no inputText, a
 *   sessionState that does not answer the paused invocation, ...). Nothing was run or stored.
 */
export class BedrockAgentsError extends NovaloopError {
  declare readonly code: BedrockAgentsErrorCode;
  /** The action group concerned, when there is one. */
  readonly actionGroupName: string | undefined;

  constructor(code: BedrockAgentsErrorCode, message: string, options: { cause?: unknown; actionGroupName?: string } = {}) {
    super(code, message, { cause: options.cause });
    this.actionGroupName = options.actionGroupName;
  }
}
