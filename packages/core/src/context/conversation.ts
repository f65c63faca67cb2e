import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { AgentConfigError, isNovaloopError } from '../errors.js';
import type { Emit } from '../loop/events.js';
import { addUsage, emptyUsage, type Usage } from '../model/usage.js';
import type { SessionSummary } from '../session/session-store.js';
import { continueConversation, storedEnds } from './history.js';
import {
  isCutPoint,
  windowMessages,
  type CompletionOptions,
  type ContextPolicy,
  type ContextSummary,
  type ContextWindow,
} from './policy.js';

/**
 * The narrow model capability a context policy gets: one text completion through the run's
 * model-call driver, whose events go into the run.
 */
export type Complete = (
  messages: Message[],
  options: CompletionOptions,
  stepIndex: number,
) => Promise<{ text: string; usage: Usage } | 'aborted'>;

export interface ConversationOptions {
  /** Chooses what each model call sends; without one, the whole conversation is sent. */
  policy: ContextPolicy | undefined;
  ids: { runId: string; sessionId: string };
  /** Where the policy's completion requests (summaries) go. */
  complete: Complete;
  /** Estimated tokens of the system prompt and tool specs, for the policy. */
  fixedTokens: number;
  signal: AbortSignal;
  /** Where the `context` events and the summaries' model-call events go. */
  emit: Emit;
}

/** Thrown into a policy's `complete` when the run is aborted; never leaves the conversation. */
class CompletionAborted extends Error {}

/**
 * A run's conversation and the part of it each model call sends. `messages` is the whole
 * conversation (the stored history continued with the prompt, then this run's steps); `sent` is
 * that same array until a policy moves the window, then the window's own copy. The summary in
 * force is tracked against the one stored with the session, so an append stores it only when new.
 */
export class Conversation {
  readonly messages: Message[];
  private sentMessages: Message[];
  /** For each message, how many stored messages end with it (see `storedEnds`); only kept with a policy. */
  private readonly ends: number[] = [];
  private storedSummary: SessionSummary | undefined;
  private summary: ContextSummary | undefined;
  private window: ContextWindow | undefined;
  private summaryChanged = false;

  constructor(
    private readonly options: ConversationOptions,
    history: readonly Message[],
    prompt: Message,
    storedSummary: SessionSummary | undefined,
  ) {
    this.messages = continueConversation(history, prompt);
    this.sentMessages = this.messages;
    if (options.policy) {
      this.ends = storedEnds(history);
      this.storedSummary = storedSummary;
      if (storedSummary) {
        const upTo = this.ends.indexOf(storedSummary.messageCount) + 1;
        if (upTo > 0) this.summary = { text: storedSummary.text, upTo };
      }
    }
  }

  /** Whether a policy chooses what is sent (else `choose` does nothing). */
  get hasPolicy(): boolean {
    return this.options.policy !== undefined;
  }

  /** What the next model call sends. */
  get sent(): Message[] {
    return this.sentMessages;
  }

  /** Where `sent` starts in the conversation, and whether its first message carries a summary. */
  sentWindow(): { start: number; summarized: boolean } {
    return { start: this.window?.start ?? 0, summarized: this.summary !== undefined && this.sentMessages !== this.messages };
  }

  /** Adds a message to the conversation, and to what is sent when that is a copy. */
  push(message: Message): void {
    this.messages.push(message);
    if (this.sentMessages !== this.messages) this.sentMessages.push(message);
    if (this.options.policy) this.ends.push((this.ends.at(-1) ?? 0) + 1);
  }

  /**
   * Asks the policy what to send and rebuilds `sent` only when the window moved. Returns whether
   * it sends less than before (what an overflow retry needs).
   */
  async choose(reason: 'step' | 'overflow', stepIndex: number): Promise<boolean | 'aborted'> {
    const { policy, ids, signal } = this.options;
    if (!policy) return false;
    const messages = this.messages;
    const summaryUsage = emptyUsage();
    // The policy's completions run inside select(); their events go into the run as they happen.
    const complete = async (sent: Message[], options: CompletionOptions): Promise<string> => {
      const answer = await this.options.complete(sent, options, stepIndex);
      if (answer === 'aborted') throw new CompletionAborted('The run was aborted.');
      addUsage(summaryUsage, answer.usage);
      return answer.text;
    };
    let next: ContextWindow;
    try {
      next = await policy.select({
        sessionId: ids.sessionId,
        messages,
        summary: this.summary,
        fixedTokens: this.options.fixedTokens,
        reason,
        previous: this.window,
        signal,
        complete,
      });
    } catch (error) {
      // An abort inside the policy (a summary being written) ends the run as aborted, not as a failure.
      if (signal.aborted && (error instanceof CompletionAborted || !isNovaloopError(error))) return 'aborted';
      if (isNovaloopError(error)) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new AgentConfigError(`The context policy failed: ${detail}. Fix the policy's select().`, { cause: error });
    }
    if (!Number.isInteger(next.start) || next.start < 0 || next.start >= messages.length || !isCutPoint(messages, next.start)) {
      throw new AgentConfigError(
        `The context policy chose to start at message ${next.start}, which is not a user message without toolResults; ` +
          'fix the policy (see isCutPoint).',
      );
    }
    const { summary, window } = this;
    const newSummary = next.summary;
    const sameSummary = newSummary?.text === summary?.text && newSummary?.upTo === summary?.upTo;
    const moved = !window || next.start !== window.start || !sameSummary;
    const shrank = window !== undefined && (next.start > window.start || (newSummary?.upTo ?? 0) > (summary?.upTo ?? 0));
    if (!sameSummary) {
      this.summary = newSummary;
      this.summaryChanged =
        newSummary !== undefined &&
        (newSummary.text !== this.storedSummary?.text || this.ends[newSummary.upTo - 1] !== this.storedSummary?.messageCount);
    }
    this.window = next;
    if (moved) {
      const inForce = this.summary;
      this.sentMessages = windowMessages(messages, inForce ? { start: next.start, summary: inForce } : { start: next.start });
      this.options.emit({
        type: 'context',
        ...ids,
        stepIndex,
        reason,
        firstMessage: next.start,
        messagesSent: this.sentMessages.length,
        summaryUpTo: inForce?.upTo,
        summaryUsage: summaryUsage.totalTokens > 0 ? summaryUsage : undefined,
      });
    }
    return shrank;
  }

  /** The summary an append must store: the one in force, if it is not the stored one. */
  unsavedSummary(): SessionSummary | undefined {
    const summary = this.summary;
    if (!this.summaryChanged || !summary) return undefined;
    return { messageCount: this.ends[summary.upTo - 1] ?? 0, text: summary.text };
  }

  /** Called once an append succeeded, with the summary it stored, if any. */
  markSaved(stored: SessionSummary | undefined): void {
    if (stored) this.storedSummary = stored;
    this.summaryChanged = false;
  }
}
