/**
 * Every error novaloop throws is a `NovaloopError` with a stable `code`, so callers can branch on the
 * code instead of parsing messages. Messages end with what to do next.
 */
export class NovaloopError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
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
  constructor(message: string) {
    super('AGENT_CONFIG', message);
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
        'maxTokens. Simplify the tool input schemas, use fewer tools per agent, or raise inference.maxTokens and toolUseRepair.maxAttempts.',
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
