import { InMemorySessionStore, type SessionState, type SessionStore, type SessionUpdate } from '@novaloop/core';

type Messages = Parameters<SessionStore['append']>[1];

/**
 * The in-memory store with Bedrock Agents' idle-session timeout: a session nobody loaded or appended
 * to for `idleSessionTTLInSeconds` is gone, as an Agents session is after its idle TTL.
 */
export class IdleSessionStore implements SessionStore {
  private readonly inner = new InMemorySessionStore();
  private readonly lastUsed = new Map<string, number>();

  constructor(
    readonly idleSessionTTLInSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async load(sessionId: string): Promise<SessionState | undefined> {
    const last = this.lastUsed.get(sessionId);
    if (last !== undefined && this.now() - last > this.idleSessionTTLInSeconds * 1000) {
      this.inner.delete(sessionId);
      this.lastUsed.delete(sessionId);
    }
    const state = await this.inner.load(sessionId);
    if (state) this.touch(sessionId);
    return state;
  }

  async append(sessionId: string, messages: Messages, expectedVersion: number, update?: SessionUpdate): Promise<number> {
    const version = await this.inner.append(sessionId, messages, expectedVersion, update);
    this.touch(sessionId);
    return version;
  }

  private touch(sessionId: string): void {
    this.lastUsed.delete(sessionId);
    this.lastUsed.set(sessionId, this.now());
    // The inner store drops its least recently used sessions past 10,000; so does this map.
    if (this.lastUsed.size > 10_000) this.lastUsed.delete(this.lastUsed.keys().next().value as string);
  }
}
