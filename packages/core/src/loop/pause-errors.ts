import { NovaloopError } from '../errors.js';
import type { PendingCall } from '../session/session-store.js';

/** `run()` on a session whose last run paused: it must be resumed, or abandoned explicitly. */
export class SessionPausedError extends NovaloopError {
  readonly sessionId: string;
  readonly pending: PendingCall[];

  constructor(sessionId: string, pending: PendingCall[]) {
    const names = pending.map((call) => `${[...(call.collaborator ?? []), call.name].join('/')} (${call.toolUseId})`).join(', ');
    super(
      'SESSION_PAUSED',
      `Session ${sessionId} is paused, waiting on ${names}; nothing was run or written. Call agent.resume(sessionId, results) ` +
        'with their results, or run again with { abandonPending: true } to answer them with errors the model sees.',
    );
    this.sessionId = sessionId;
    this.pending = pending;
  }
}

/** `resume()` on a session with nothing to resume: never paused, already resumed, or expired from its store. */
export class NothingPendingError extends NovaloopError {
  readonly sessionId: string;

  constructor(sessionId: string, detail: string) {
    super(
      'RESUME_NOTHING_PENDING',
      `Session ${sessionId} has nothing to resume: ${detail}. Nothing was changed; start a new run with agent.run() instead.`,
    );
    this.sessionId = sessionId;
  }
}

/** Why a resume's results do not fit the paused calls; see `ResumeInputError.code`. */
export type ResumeInputCode = 'RESUME_UNKNOWN_CALL' | 'RESUME_MISSING_RESULT' | 'RESUME_INVALID_ANSWER' | 'RESUME_OUTPUT_INVALID';

/** The results given to `resume()` do not answer the paused calls exactly once each; nothing was changed. */
export class ResumeInputError extends NovaloopError {
  readonly sessionId: string;
  /** The call at fault. */
  readonly toolUseId: string;

  constructor(code: ResumeInputCode, sessionId: string, toolUseId: string, detail: string) {
    super(code, `Resume of session ${sessionId}: ${detail}. Nothing was changed; fix the results and call resume again.`);
    this.sessionId = sessionId;
    this.toolUseId = toolUseId;
  }
}

/** Another resume of the same invocation got there first (or is still running); this one changed nothing. */
export class ResumeConflictError extends NovaloopError {
  readonly sessionId: string;
  readonly invocationId: string;

  constructor(sessionId: string, invocationId: string, detail: string, options?: { cause?: unknown }) {
    super(
      'RESUME_CONFLICT',
      `Invocation ${invocationId} of session ${sessionId} ${detail}; this resume changed nothing. Load the session to see ` +
        'where it is; if the process that claimed it died, run again with { abandonPending: true }.',
      options,
    );
    this.sessionId = sessionId;
    this.invocationId = invocationId;
  }
}
