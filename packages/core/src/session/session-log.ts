import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { isNovaloopError, SessionStoreError } from '../errors.js';
import type { SessionAttributeState } from './session-attributes.js';
import type { PendingState, SessionState, SessionStore, SessionSummary, SessionUpdate } from './session-store.js';

/** Whoever tracks the summary in force (the conversation): what an append must store, and when it is stored. */
export interface SummarySource {
  unsavedSummary(): SessionSummary | undefined;
  markSaved(stored: SessionSummary | undefined): void;
}

/**
 * A run's reads and writes of its session: one load, then one append per completed step with the
 * version the previous call returned. A store's own errors become `SessionStoreError`; novaloop's
 * (a conflict, bad input) pass through as they are.
 */
export class SessionLog {
  private version = 0;
  /** Messages not yet appended: the prompt until the first step is saved. */
  private unsaved: Message[] = [];
  /** Whether the stored pending state must be cleared by the next append (it was resumed or abandoned). */
  private clearPending = false;

  constructor(
    /** `undefined`: the run keeps nothing (no session id was given and the store is the default one). */
    private readonly store: SessionStore | undefined,
    private readonly sessionId: string,
    /** The run's prompt, stored with its first step; none for a resumed run. */
    prompt?: Message,
  ) {
    if (prompt) this.unsaved.push(prompt);
  }

  /** Messages the next append stores first (the prompt; a resolved pause's messages). */
  addUnsaved(...messages: Message[]): void {
    this.unsaved.push(...messages);
  }

  /** The next append clears the stored pending state. */
  resolvePending(): void {
    this.clearPending = true;
  }

  /**
   * Claims a pending invocation for one resume: an append of no messages that marks it, so a
   * concurrent resume conflicts before anything runs twice.
   */
  async claim(pending: PendingState): Promise<void> {
    if (!this.store) return;
    await this.append([], { pending });
  }

  async load(): Promise<SessionState | undefined> {
    if (!this.store) return undefined;
    const loaded = await this.store.load(this.sessionId).catch((error: unknown) => {
      throw isNovaloopError(error) ? error : new SessionStoreError(this.sessionId, 'load', error);
    });
    this.version = loaded?.version ?? 0;
    return loaded;
  }

  /**
   * Appends `add` after whatever is unsaved, with the attributes and summary if they changed since
   * they were last stored, and marks those saved.
   */
  async save(add: readonly Message[], attributes: SessionAttributeState, context: SummarySource, pending?: PendingState): Promise<void> {
    if (!this.store) return;
    this.unsaved.push(...add);
    const update: SessionUpdate = {};
    if (attributes.changed) update.attributes = attributes.current;
    const summary = context.unsavedSummary();
    if (summary) update.summary = summary;
    if (pending) update.pending = pending;
    else if (this.clearPending) update.pending = null;
    await this.append(this.unsaved, update);
    // A new array, not a cleared one: a store (or a test's spy) may keep the one it was given.
    this.unsaved = [];
    this.clearPending = false;
    attributes.markSaved();
    context.markSaved(update.summary);
  }

  private async append(messages: Message[], update: SessionUpdate): Promise<void> {
    const store = this.store as SessionStore;
    const hasUpdate = Object.keys(update).length > 0;
    this.version = await (
      hasUpdate ? store.append(this.sessionId, messages, this.version, update) : store.append(this.sessionId, messages, this.version)
    ).catch((error: unknown) => {
      throw isNovaloopError(error) ? error : new SessionStoreError(this.sessionId, 'append', error);
    });
  }
}
