// `@novaloop/core/session-store`: what a `SessionStore` author needs besides the types in the main entry.
export { checkAppend, checkSessionId, isPendingState, MAX_SESSION_ID_LENGTH } from './session/session-store.js';
export type {
  SessionStore,
  SessionState,
  SessionUpdate,
  SessionSummary,
  SessionAttributes,
  PendingState,
  PendingCall,
  CollaboratorWait,
} from './session/session-store.js';
export { SessionConflictError, SessionInputError, SessionCorruptError } from './errors.js';
