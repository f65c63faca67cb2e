import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { SessionConflictError } from './errors.js';

/** A session as loaded: its messages and the version an append must name. */
export interface SessionState {
  messages: Message[];
  /** Bumped by every append; 0 for a session that has none. */
  version: number;
}

/**
 * Where conversations live between runs. The loop loads a session once per run and appends each
 * completed step (its assistant message and tool results together, so the stored history is always
 * valid for Bedrock) with the version it read.
 */
export interface SessionStore {
  /** The session, or `undefined` if it has no messages yet. */
  load(sessionId: string): Promise<SessionState | undefined>;
  /**
   * Appends messages if the session is still at `expectedVersion` and returns the new version.
   * Otherwise writes nothing and throws `SessionConflictError`.
   */
  append(sessionId: string, messages: readonly Message[], expectedVersion: number): Promise<number>;
}

/**
 * The default store: sessions in this process's memory, least recently used dropped past
 * `maxSessions` (default 10,000) so a long-lived server cannot grow without bound.
 */
export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionState>();
  private readonly maxSessions: number;

  constructor(options: { maxSessions?: number } = {}) {
    this.maxSessions = options.maxSessions ?? 10_000;
  }

  async load(sessionId: string): Promise<SessionState | undefined> {
    const session = this.sessions.get(sessionId);
    if (!session) return undefined;
    this.touch(sessionId, session);
    // A copy of the list, so a caller's pushes never reach the store without an append.
    return { messages: session.messages.slice(), version: session.version };
  }

  async append(sessionId: string, messages: readonly Message[], expectedVersion: number): Promise<number> {
    const session = this.sessions.get(sessionId) ?? { messages: [], version: 0 };
    if (session.version !== expectedVersion) throw new SessionConflictError(sessionId, expectedVersion, session.version);
    session.messages.push(...messages);
    session.version += 1;
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

  private touch(sessionId: string, session: SessionState): void {
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, session);
    if (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
  }
}
