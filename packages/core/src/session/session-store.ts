import type { Message, ToolResultBlock } from '@aws-sdk/client-bedrock-runtime';
import { SessionConflictError, SessionInputError } from '../errors.js';
import type { JsonValue } from '../json.js';

/** Key–value pairs that live as long as the session, like Bedrock Agents' sessionAttributes. */
export type SessionAttributes = Record<string, JsonValue>;

/**
 * A summary of the first `messageCount` stored messages, written by a summarizing context policy.
 * It sits beside the history: the stored messages themselves are never rewritten.
 */
export interface SessionSummary {
  messageCount: number;
  text: string;
}

/** A tool call a paused run waits on: its result from the application, or an approval. */
export interface PendingCall {
  /**
   * The pause this call belongs to: the paused run's own, or for a collaborator's call
   * (`collaborator` set) the collaborator's pause, as the collaborator stored it.
   */
  invocationId: string;
  toolUseId: string;
  /** The tool's name. */
  name: string;
  /** The input after validation (defaults and transforms applied). */
  input: unknown;
  /** 'return_control': the application runs the call; 'approval': the application approves or denies it. */
  kind: 'return_control' | 'approval';
  /**
   * Set on a call made inside a collaborator (`agent.asTool()`) whose pause paused this run: the
   * collaborator names from this agent down, e.g. `['billing']`, or `['billing', 'ledger']` for a
   * call of billing's own collaborator ledger. It is answered like any other call.
   */
  collaborator?: string[];
}

/**
 * A paused run's tool call that runs a collaborator (`agent.asTool()`) whose own run paused: the
 * resume hands the collaborator's calls' answers to that collaborator's pause.
 */
export interface CollaboratorWait {
  /** The waiting call of this run (its toolUse is in `PendingState.message`). */
  toolUseId: string;
  /** The collaborator tool's name. */
  name: string;
  /** The collaborator's session, in the collaborator agent's store, and the pause it holds. */
  sessionId: string;
  invocationId: string;
  /** The `toolUseId`s of the collaborator's calls (in `PendingState.calls`) this call waits on. */
  calls: string[];
}

/**
 * What a paused run left for `agent.resume`: stored with the step that paused, in the same append,
 * and cleared (`null`) by the append that resumes it. The assistant message whose tool calls wait is
 * kept here rather than in `messages`, so the stored history stays valid for Bedrock while paused.
 */
export interface PendingState {
  invocationId: string;
  /** The paused run: a resume continues it (same run id, next step index). */
  runId: string;
  stopReason: 'return_control' | 'needs_approval';
  /** The step that paused. */
  stepIndex: number;
  /** The assistant message with the waiting toolUses. */
  message: Message;
  /** The toolResults of the step's calls that did run, before the pause. */
  results: ToolResultBlock[];
  calls: PendingCall[];
  /** ISO 8601. */
  pausedAt: string;
  /** Set by a resume that claimed the invocation to run approved tools; another resume then conflicts. */
  resumedBy?: string;
  /** The cascade route the paused run chose: its resume continues on that route's model. */
  route?: string;
  /**
   * The run's calls that wait on paused collaborators. Their collaborators' calls are in `calls`
   * (with `collaborator` set); the run's own calls there have none.
   */
  collaborators?: CollaboratorWait[];
}

/** A session as loaded: its messages and the version an append must name. */
export interface SessionState {
  messages: Message[];
  /** Bumped by every append; 0 for a session that has none. */
  version: number;
  /** The attributes of the latest append that set them; absent if none ever did. */
  attributes?: SessionAttributes;
  /** The latest summary stored with an append; absent if none was. */
  summary?: SessionSummary;
  /** The paused run's state, if the latest append that set `pending` paused one. */
  pending?: PendingState;
}

/** What an append may change besides adding messages. Each field given replaces the stored one. */
export interface SessionUpdate {
  attributes?: SessionAttributes;
  summary?: SessionSummary;
  /** A paused run's state, or `null` to clear it (the run was resumed or abandoned). */
  pending?: PendingState | null;
}

/**
 * Where conversations live between runs. The loop loads a session once per run and appends each
 * completed step (its assistant message and tool results together, so the stored history is always
 * valid for Bedrock) with the version it read.
 *
 * A store written before `SessionUpdate` existed still works: it ignores the fourth argument, and
 * the session's attributes and summaries then last only as long as a run.
 */
export interface SessionStore {
  /** The session, or `undefined` if it has no messages yet. */
  load(sessionId: string): Promise<SessionState | undefined>;
  /**
   * Appends messages (and applies `update`) if the session is still at `expectedVersion`, and
   * returns the new version. Otherwise writes nothing and throws `SessionConflictError`.
   */
  append(sessionId: string, messages: readonly Message[], expectedVersion: number, update?: SessionUpdate): Promise<number>;
}

/** Longest session id any store accepts: DynamoDB's key limit (2 KB) with room for a prefix. */
export const MAX_SESSION_ID_LENGTH = 512;

/**
 * The argument checks every store makes before touching its backend, so a bad call fails the same
 * way everywhere (`SessionInputError`) instead of as a driver error or, worse, as stored garbage.
 * Exported for custom `SessionStore` implementations.
 */
export function checkSessionId(sessionId: unknown): asserts sessionId is string {
  if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > MAX_SESSION_ID_LENGTH) {
    throw new SessionInputError(
      String(sessionId).slice(0, 80),
      `the session id must be a non-empty string of at most ${MAX_SESSION_ID_LENGTH} characters`,
    );
  }
}

/** `checkSessionId`, plus the version, the messages' shape and the update's shape. */
export function checkAppend(sessionId: unknown, messages: unknown, expectedVersion: unknown, update?: unknown): void {
  checkSessionId(sessionId);
  if (!Number.isSafeInteger(expectedVersion) || (expectedVersion as number) < 0) {
    throw new SessionInputError(sessionId, `expectedVersion must be an integer ≥ 0 (got ${String(expectedVersion)})`);
  }
  if (!Array.isArray(messages)) throw new SessionInputError(sessionId, 'messages must be an array of Bedrock messages');
  messages.forEach((message: unknown, i) => {
    const m = message as Partial<Message> | null;
    if (typeof m !== 'object' || m === null || (m.role !== 'user' && m.role !== 'assistant') || !Array.isArray(m.content)) {
      throw new SessionInputError(sessionId, `messages[${i}] is not a Bedrock message ({ role: 'user' | 'assistant', content: [...] })`);
    }
  });
  if (update === undefined) return;
  const u = update as SessionUpdate | null;
  if (typeof u !== 'object' || u === null) throw new SessionInputError(sessionId, 'update must be an object');
  if (u.attributes !== undefined && (typeof u.attributes !== 'object' || u.attributes === null || Array.isArray(u.attributes))) {
    throw new SessionInputError(sessionId, 'update.attributes must be a plain object of JSON values');
  }
  if (
    u.summary !== undefined &&
    (typeof u.summary !== 'object' ||
      u.summary === null ||
      typeof u.summary.text !== 'string' ||
      !Number.isSafeInteger(u.summary.messageCount) ||
      u.summary.messageCount < 0)
  ) {
    throw new SessionInputError(sessionId, 'update.summary must be { messageCount: integer ≥ 0, text: string }');
  }
  if (u.pending !== undefined && u.pending !== null && !isPendingState(u.pending)) {
    throw new SessionInputError(
      sessionId,
      'update.pending must be null or { invocationId, runId, stopReason, stepIndex, message, results: [...], calls: [...], pausedAt }',
    );
  }
}

/** Whether `value` has the shape of a `PendingState` (what stores check before writing, and after reading). */
export function isPendingState(value: unknown): value is PendingState {
  const p = value as Partial<PendingState> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.invocationId === 'string' &&
    typeof p.runId === 'string' &&
    (p.stopReason === 'return_control' || p.stopReason === 'needs_approval') &&
    Number.isSafeInteger(p.stepIndex) &&
    typeof p.message === 'object' &&
    p.message !== null &&
    Array.isArray(p.message.content) &&
    Array.isArray(p.results) &&
    Array.isArray(p.calls) &&
    p.calls.every((c) => typeof c?.toolUseId === 'string' && typeof c.name === 'string') &&
    typeof p.pausedAt === 'string' &&
    (p.collaborators === undefined || (Array.isArray(p.collaborators) && p.collaborators.every(isCollaboratorWait)))
  );
}

function isCollaboratorWait(value: unknown): boolean {
  const w = value as Partial<CollaboratorWait> | null;
  return (
    typeof w === 'object' &&
    w !== null &&
    typeof w.toolUseId === 'string' &&
    typeof w.name === 'string' &&
    typeof w.sessionId === 'string' &&
    typeof w.invocationId === 'string' &&
    Array.isArray(w.calls) &&
    w.calls.every((id) => typeof id === 'string')
  );
}

interface StoredSession extends SessionState {
  messages: Message[];
}

/**
 * The default store: sessions in this process's memory, least recently used dropped past
 * `maxSessions` (default 10,000) so a long-lived server cannot grow without bound.
 */
export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, StoredSession>();
  private readonly maxSessions: number;

  constructor(options: { maxSessions?: number } = {}) {
    this.maxSessions = options.maxSessions ?? 10_000;
  }

  async load(sessionId: string): Promise<SessionState | undefined> {
    checkSessionId(sessionId);
    const session = this.sessions.get(sessionId);
    if (!session) return undefined;
    this.touch(sessionId, session);
    // A copy of the list, so a caller's pushes never reach the store without an append.
    const state: SessionState = { messages: session.messages.slice(), version: session.version };
    if (session.attributes) state.attributes = structuredClone(session.attributes);
    if (session.summary) state.summary = { ...session.summary };
    if (session.pending) state.pending = structuredClone(session.pending);
    return state;
  }

  async append(sessionId: string, messages: readonly Message[], expectedVersion: number, update?: SessionUpdate): Promise<number> {
    checkAppend(sessionId, messages, expectedVersion, update);
    const session = this.sessions.get(sessionId) ?? { messages: [], version: 0 };
    if (session.version !== expectedVersion) throw new SessionConflictError(sessionId, expectedVersion, session.version);
    session.messages.push(...messages);
    session.version += 1;
    // Copies: later changes to the caller's objects must not reach the stored session.
    if (update?.attributes) session.attributes = structuredClone(update.attributes);
    if (update?.summary) session.summary = { messageCount: update.summary.messageCount, text: update.summary.text };
    if (update?.pending === null) delete session.pending;
    else if (update?.pending) session.pending = structuredClone(update.pending);
    this.touch(sessionId, session);
    return session.version;
  }

  /** Forgets a session. */
  delete(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  get size(): number {
    return this.sessions.size;
  }

  private touch(sessionId: string, session: StoredSession): void {
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, session);
    if (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
  }
}
