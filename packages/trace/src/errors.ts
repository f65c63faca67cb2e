import { NovaloopError } from '@novaloop/core';

export type TraceFileErrorCode = 'TRACE_WRITE_FAILED' | 'TRACE_SINK_CLOSED' | 'TRACE_FILE_UNREADABLE' | 'TRACE_FILE_EMPTY' | 'TRACE_USAGE';

/**
 * A trace file could not be written or read. `code`: TRACE_WRITE_FAILED (the sink's file; the run
 * itself went on), TRACE_SINK_CLOSED (attach after close), TRACE_FILE_UNREADABLE (missing or not a
 * file), TRACE_FILE_EMPTY (no trace part in it), TRACE_USAGE (bad command line).
 */
export class TraceFileError extends NovaloopError {
  readonly path: string | undefined;

  constructor(code: TraceFileErrorCode, message: string, path?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}
