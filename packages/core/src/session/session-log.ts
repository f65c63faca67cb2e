import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { isNovaloopError, SessionStoreError } from '../errors.js';
import type { SessionAttributeState } from './session-attributes.js';
import type { SessionState, SessionStore, SessionSummary, SessionUpdate } from './session-store.js';

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
  private unsaved: Message[];

  constructor(
    /** `undefined`: the run keeps nothing (no session id was given and the store is the default one). */
    private readonly store: SessionStore | undefined,
    private readonly sessionId: string,
    prompt: Message,
  ) {
    this.unsaved = [prompt];
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
  async save(add: readonly Message[], attributes: SessionAttributeState, context: SummarySource): Promise<void> {
    if (!this.store) return;
    this.unsaved.push(...add);
    const update: SessionUpdate = {};
    if (attributes.changed) update.attributes = attributes.current;
    const summary = context.unsavedSummary();
    if (summary) update.summary = summary;
    const hasUpdate = update.attributes !== undefined || update.summary !== undefined;
    const store = this.store;
    this.version = await (
      hasUpdate
        ? store.append(this.sessionId, this.unsaved, this.version, update)
        : store.append(this.sessionId, this.unsaved, this.version)
    ).catch((error: unknown) => {
      throw isNovaloopError(error) ? error : new SessionStoreError(this.sessionId, 'append', error);
    });
    // A new array, not a cleared one: a store (or a test's spy) may keep the one it was given.
    this.unsaved = [];
    attributes.markSaved();
    context.markSaved(update.summary);
  }
}
