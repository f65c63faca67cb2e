/** The codes of `@novaloop/tools`' `ToolCallError`: why a tool refused or failed a call. */
export type ToolCallErrorCode =
  | 'CALC_SYNTAX'
  | 'CALC_DIVISION_BY_ZERO'
  | 'CALC_NOT_FINITE'
  | 'CALC_TOO_LONG'
  | 'TIME_ZONE_UNKNOWN'
  | 'HTTP_HOST_NOT_ALLOWED'
  | 'HTTP_ADDRESS_BLOCKED'
  | 'HTTP_BAD_URL'
  | 'HTTP_TIMEOUT'
  | 'HTTP_TOO_MANY_REDIRECTS'
  | 'HTTP_FAILED'
  | 'SQL_READ_ONLY'
  | 'SQL_MULTIPLE_STATEMENTS'
  | 'SQL_REFUSED'
  | 'SQL_TIMEOUT'
  | 'SQL_FAILED'
  | 'KB_RETRIEVE_FAILED';

/** Every `code` a `NovaloopError` can have (see the README's table of error codes). */
export type NovaloopErrorCode =
  | 'TOOL_DEFINITION'
  | 'AGENT_CONFIG'
  | 'BEDROCK_REQUEST_FAILED'
  | 'BEDROCK_RETRIES_EXHAUSTED'
  | 'MALFORMED_TOOL_USE'
  | 'CONTEXT_WINDOW_EXCEEDED'
  | 'UNKNOWN_STOP_REASON'
  | 'SESSION_CONFLICT'
  | 'SESSION_STORE'
  | 'SESSION_INPUT'
  | 'SESSION_CORRUPT'
  | 'TOOL_OUTPUT'
  | 'LISTENER'
  | 'INTERNAL'
  | 'BEDROCK_UNREACHABLE'
  | 'CREDENTIALS_MISSING'
  | 'REGION_MISSING'
  | 'PROMPT_EMPTY'
  | 'INFERENCE_OUT_OF_RANGE'
  | 'MODEL_ID_INVALID'
  | 'SESSION_PAUSED'
  | 'RESUME_NOTHING_PENDING'
  | 'RESUME_UNKNOWN_CALL'
  | 'RESUME_MISSING_RESULT'
  | 'RESUME_INVALID_ANSWER'
  | 'RESUME_OUTPUT_INVALID'
  | 'RESUME_CONFLICT'
  | 'OUTPUT_INVALID'
  | 'ROUTING_CONFIG'
  | 'CLASSIFY_CONFIG'
  | 'EXTRACT_SCHEMA'
  | 'CLASSIFICATION_FAILED'
  | 'EXTRACTION_FAILED'
  // @novaloop/memory
  | 'STORE_DRIVER_MISSING'
  // @novaloop/batch
  | 'BATCH_CONFIG'
  | 'BATCH_RECORD_ID_MISSING'
  | 'BATCH_RECORD_ID_DUPLICATE'
  | 'BATCH_S3_URI_INVALID'
  | 'BATCH_TOO_FEW_RECORDS'
  | 'BATCH_TEMPLATE_FIELD'
  | 'BATCH_CHECKPOINT_MISMATCH'
  | 'BATCH_JOB_REQUEST_FAILED'
  | 'BATCH_RECORD_ERROR'
  | 'BATCH_NO_RESULT'
  // @novaloop/tools: set up (thrown when a tool is made)
  | 'TOOL_CONFIG'
  | 'MISSING_DRIVER'
  // @novaloop/tools: a call refused or failed (the model reads it as an error tool result)
  | ToolCallErrorCode
  // @novaloop/bedrock-agents
  | 'AGENT_OPTIONS_INVALID'
  | 'AGENT_NOT_FOUND'
  | 'AGENT_READ_FAILED'
  | 'AGENT_SCHEMA_INVALID'
  | 'AGENT_SCHEMA_UNAVAILABLE'
  | 'INVOKE_AGENT_INPUT'
  // @novaloop/trace
  | 'TRACE_WRITE_FAILED'
  | 'TRACE_SINK_CLOSED'
  | 'TRACE_FILE_UNREADABLE'
  | 'TRACE_FILE_EMPTY'
  | 'TRACE_USAGE'
  // @novaloop/mcp
  | 'MCP_CONFIG'
  | 'MCP_CONNECT_FAILED'
  | 'MCP_SERVER_CLOSED'
  | 'MCP_CALL_TIMEOUT'
  | 'MCP_CALL_FAILED';

// A registered symbol is the same in every copy of this package loaded in one process, so
// `isNovaloopError` holds for an error thrown by another copy, where `instanceof` would not.
const BRAND = Symbol.for('novaloop.error');

/**
 * Every error novaloop throws is a `NovaloopError` with a stable `code`, so callers can branch on the
 * code instead of parsing messages. Messages end with what to do next.
 */
export class NovaloopError extends Error {
  readonly code: NovaloopErrorCode;
  declare readonly [BRAND]: true;

  constructor(code: NovaloopErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Whether `error` is a `NovaloopError`, even one thrown by another copy of `@novaloop/core`. */
export function isNovaloopError(error: unknown): error is NovaloopError {
  return typeof error === 'object' && error !== null && (error as { [BRAND]?: unknown })[BRAND] === true;
}

/** A tool definition that Bedrock or Nova would reject; thrown by `tool()` and `new Agent()`. */
export class ToolDefinitionError extends NovaloopError {
  readonly toolName: string;

  constructor(toolName: string, message: string, options?: { cause?: unknown }) {
    super('TOOL_DEFINITION', message, options);
    this.toolName = toolName;
  }
}

/** An `Agent` option that cannot work (unknown model for a budget, bad limits, ...). */
export class AgentConfigError extends NovaloopError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AGENT_CONFIG', message, options);
  }
}

/**
 * A Bedrock request that failed for good: not retryable, or still failing after every attempt.
 * `bedrockCode` is the service's exception name (`ThrottlingException`, `ValidationException`, ...)
 * or the network error's code.
 */
export class BedrockRequestError extends NovaloopError {
  readonly bedrockCode: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly attempts: number;

  constructor(
    message: string,
    details: { bedrockCode: string; status: number | undefined; retryable: boolean; attempts: number; cause?: unknown },
  ) {
    super(details.retryable ? 'BEDROCK_RETRIES_EXHAUSTED' : 'BEDROCK_REQUEST_FAILED', message, { cause: details.cause });
    this.bedrockCode = details.bedrockCode;
    this.status = details.status;
    this.retryable = details.retryable;
    this.attempts = details.attempts;
  }
}

/**
 * Nova kept producing a tool call it could not finish (a toolUse cut by max_tokens, a 424 "invalid
 * sequence as part of ToolUse", malformed_tool_use or malformed_model_output), even with greedy
 * decoding and more output tokens.
 */
export class MalformedToolUseError extends NovaloopError {
  readonly attempts: number;
  readonly lastReason: string;

  constructor(attempts: number, lastReason: string, options?: { cause?: unknown }) {
    super(
      'MALFORMED_TOOL_USE',
      `The model produced an unusable tool call ${attempts} time(s) (last: ${lastReason}), even with greedy decoding and a larger ` +
        'maxTokens. Simplify the tool input schemas, use fewer tools per agent, or raise inference.maxTokens and toolUseRepair.maxRepairs.',
      options,
    );
    this.attempts = attempts;
    this.lastReason = lastReason;
  }
}

/** The conversation no longer fits the model's context window. */
export class ContextWindowExceededError extends NovaloopError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      'CONTEXT_WINDOW_EXCEEDED',
      `${detail} Start a new session, or trim what is sent (shorter tool outputs, fewer past turns).`,
      options,
    );
  }
}

/** Another writer appended to the session since it was loaded; nothing was written. */
export class SessionConflictError extends NovaloopError {
  readonly sessionId: string;
  readonly expectedVersion: number;
  readonly actualVersion: number;

  constructor(sessionId: string, expectedVersion: number, actualVersion: number) {
    super(
      'SESSION_CONFLICT',
      `Session ${sessionId} changed while this run used it (expected version ${expectedVersion}, found ${actualVersion}); ` +
        'nothing was written. Run one request per session at a time, or reload the session and run again.',
    );
    this.sessionId = sessionId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** The session store failed to load or append (connection lost, corrupt data, ...). */
export class SessionStoreError extends NovaloopError {
  readonly sessionId: string;

  constructor(sessionId: string, operation: 'load' | 'append', cause: unknown) {
    // Driver messages often end with a period of their own.
    const detail = (cause instanceof Error ? cause.message : String(cause)).replace(/\.+$/, '');
    super(
      'SESSION_STORE',
      `The session store could not ${operation} session ${sessionId}: ${detail}. ` +
        (operation === 'append' ? 'This step was not saved; ' : '') +
        'check the store and its connection, then run again.',
      { cause },
    );
    this.sessionId = sessionId;
  }
}

/** A store was called with arguments it cannot store (bad session id, version or message shape). */
export class SessionInputError extends NovaloopError {
  readonly sessionId: string;

  constructor(sessionId: string, detail: string) {
    super('SESSION_INPUT', `Session ${JSON.stringify(sessionId)}: ${detail}. Nothing was read or written; fix the call and try again.`);
    this.sessionId = sessionId;
  }
}

/**
 * What a store holds for a session cannot be read back as a session (not JSON, wrong shape, a gap in
 * its steps). novaloop never writes such data, so something else wrote to the store.
 */
export class SessionCorruptError extends NovaloopError {
  readonly sessionId: string;

  constructor(sessionId: string, detail: string, options?: { cause?: unknown }) {
    super(
      'SESSION_CORRUPT',
      `The stored data of session ${JSON.stringify(sessionId)} is corrupt: ${detail}. ` +
        'Delete the session (or restore it from a backup), and check what else writes to this store.',
      options,
    );
    this.sessionId = sessionId;
  }
}

/** Bedrock ended a model call with a stop reason this version of novaloop does not know. */
export class UnknownStopReasonError extends NovaloopError {
  readonly stopReason: string;

  constructor(stopReason: string) {
    super(
      'UNKNOWN_STOP_REASON',
      `The model stopped with stop reason ${JSON.stringify(stopReason)}, which this version of novaloop does not know, so it ` +
        'cannot tell whether the answer is complete; the step was not stored. Update @novaloop/core, or report the stop reason.',
    );
    this.stopReason = stopReason;
  }
}

/**
 * A listener on `agent.events` threw. The run goes on unchanged (its outcome and stored history never
 * depend on a listener); the error goes to `AgentOptions.onListenerError`, or else becomes a process
 * warning.
 */
export class ListenerError extends NovaloopError {
  readonly eventType: string;

  constructor(eventType: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('LISTENER', `A listener for '${eventType}' threw: ${detail}. The run went on; fix the listener.`, { cause });
    this.eventType = eventType;
  }
}

/** A `cascade()` that cannot route: no routes, a `fallback` that is not a route, a bad model id, ... */
export class RoutingConfigError extends NovaloopError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ROUTING_CONFIG', message, options);
  }
}

/** `classify()` options that cannot work (no labels, duplicate labels, ...); nothing was sent. */
export class ClassifyConfigError extends NovaloopError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CLASSIFY_CONFIG', message, options);
  }
}

/** An `extract()` schema Nova cannot use as a tool input (not a zod object, ...); nothing was sent. */
export class ExtractSchemaError extends NovaloopError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EXTRACT_SCHEMA', message, options);
  }
}

/** The model answered a classification with something that is not one of the labels. */
export class ClassificationError extends NovaloopError {
  /** What the model answered (the forced tool's input, or its text). */
  readonly rawOutput: unknown;

  constructor(message: string, rawOutput: unknown) {
    super('CLASSIFICATION_FAILED', message);
    this.rawOutput = rawOutput;
  }
}

/** Every attempt of `extract()` answered data that fails the schema. */
export class ExtractionError extends NovaloopError {
  /** The last answer, as the model sent it (the forced tool's input, or its text). */
  readonly rawOutput: unknown;
  /** The schema's complaints about the last answer, as `path: message` lines. */
  readonly issues: string[];
  readonly attempts: number;

  constructor(attempts: number, issues: string[], rawOutput: unknown) {
    super(
      'EXTRACTION_FAILED',
      `The model's answer still failed the schema after ${attempts} attempt(s): ${issues.join('; ')}. ` +
        'Raise maxAttempts, make the schema or the instructions clearer, or use a larger model; the last answer is in rawOutput.',
    );
    this.rawOutput = rawOutput;
    this.issues = issues;
    this.attempts = attempts;
  }
}
