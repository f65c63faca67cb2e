import { NovaloopError, type ToolCallErrorCode } from '@novaloop/core';

/**
 * Thrown by a tool's `run` for input it refuses or a call that failed: the agent turns it into an
 * error result the model reads, so every message says what the model can do instead.
 */
export class ToolCallError extends NovaloopError {
  constructor(code: ToolCallErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

// The codes are listed in core's NovaloopErrorCode union, which covers every novaloop package's codes.
export type { ToolCallErrorCode };

/** A tool set up with options that cannot work; thrown when the tool is created, never at run time. */
export class ToolConfigError extends NovaloopError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TOOL_CONFIG', message, options);
  }
}

/** An optional driver (`pg`, `@libsql/client`) that the tool needs is not installed. */
export class MissingDriverError extends NovaloopError {
  readonly packageName: string;
  /** `install`: every package the feature needs, for the command in the message (default: `packageName`). */
  constructor(packageName: string, forWhat: string, options?: { cause?: unknown; install?: string[] }) {
    const install = options?.install ?? [packageName];
    super(
      'MISSING_DRIVER',
      `${forWhat} needs the optional package${install.length > 1 ? 's' : ''} ${install.join(' and ')}, and ${packageName} is not installed. ` +
        `Install ${install.length > 1 ? 'them' : 'it'} next to @novaloop/tools (npm install ${install.join(' ')}) and try again.`,
      options,
    );
    this.packageName = packageName;
  }
}
