import type { Message } from '@aws-sdk/client-bedrock-runtime';

/** A summary the policy sends in place of `messages[0, upTo)`. */
export interface ContextSummary {
  text: string;
  upTo: number;
}

/** What to send: `messages[start..]`, with the summary (if any) put before the first of them. */
export interface ContextWindow {
  /** Must be a cut point (see `isCutPoint`): a user message holding no toolResult. */
  start: number;
  summary?: ContextSummary;
}

/** How a policy's model request (a summary) is made; the agent's model-call driver sends it. */
export interface CompletionOptions {
  /** A model the policy declared in `ContextPolicy.models`. */
  modelId: string;
  system?: string;
  maxTokens?: number;
}

export interface ContextRequest {
  sessionId: string;
  /**
   * The whole conversation as the loop holds it (the stored history, a trailing user message merged
   * with the prompt, and this run's steps), ending with the user message about to be answered.
   * Shared with the loop: read it, never change it.
   */
  messages: readonly Message[];
  /** The summary in force (stored with the session, or made earlier in this run). */
  summary: ContextSummary | undefined;
  /** Estimated tokens every call sends besides messages: the system prompt and tool specs. */
  fixedTokens: number;
  /** `'overflow'`: the model refused `previous` as too long, and the policy must send less. */
  reason: 'step' | 'overflow';
  previous: ContextWindow | undefined;
  signal: AbortSignal;
  /**
   * Asks a model for text: the same driver as the loop's own calls (retries, abort, events, usage
   * and cost in the run's totals). Rejects when the run is aborted.
   */
  complete(messages: Message[], options: CompletionOptions): Promise<string>;
}

/**
 * Decides, before every model call, which part of the conversation is sent. The stored history is
 * never changed by it; a summary it makes is stored beside the history with the step's append.
 */
export interface ContextPolicy {
  select(request: ContextRequest): ContextWindow | Promise<ContextWindow>;
  /**
   * Every model `complete` may be asked for. Their prices are checked when the agent is made, so a
   * `maxCostUsd` budget always counts them.
   */
  readonly models?: readonly string[];
}

/**
 * Where a sent conversation may begin: a user message that answers no toolUse. Starting anywhere
 * else would send a toolResult without its toolUse. Everything after a cut point of a valid history
 * is itself valid: it starts with the user, alternates, and pairs every toolUse with its results.
 */
export function isCutPoint(messages: readonly Message[], index: number): boolean {
  const message = messages[index];
  return message?.role === 'user' && !(message.content ?? []).some((block) => block.toolResult !== undefined);
}

/**
 * The messages a window sends: the conversation itself when it starts at 0 without a summary (no
 * copy), else the kept messages with the summary put before the first one (a shallow copy of the
 * kept part: O(kept), never a deep copy).
 */
export function windowMessages(messages: Message[], window: ContextWindow): Message[] {
  const { start, summary } = window;
  if (start === 0 && !summary) return messages;
  const first = messages[start] as Message;
  const sent = messages.slice(start);
  if (summary) sent[0] = withSummary(first, summary);
  return sent;
}

/** The first sent message with the summary before its own content. */
export function withSummary(message: Message, summary: ContextSummary): Message {
  return {
    role: 'user',
    content: [{ text: `<conversation_summary>\n${summary.text}\n</conversation_summary>` }, ...(message.content ?? [])],
  };
}
