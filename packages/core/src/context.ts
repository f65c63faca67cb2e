import type { ContentBlock, Message, ToolResultContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { AgentConfigError } from './errors.js';

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

/** One model request a policy may make, for summaries; the agent's client sends it. */
export interface CompletionRequest {
  modelId: string;
  system: string;
  prompt: string;
  maxTokens: number;
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
  /** Asks a model for text (retried like the loop's calls; tokens count in the run's usage). */
  complete(request: CompletionRequest): Promise<string>;
}

/**
 * Decides, before every model call, which part of the conversation is sent. The stored history is
 * never changed by it; a summary it makes is stored beside the history with the step's append.
 */
export interface ContextPolicy {
  select(request: ContextRequest): ContextWindow | Promise<ContextWindow>;
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

/** Tokens charged per message for role markers, as on bedrock-local. */
const MESSAGE_OVERHEAD_TOKENS = 3;
/** Images, video and documents: a flat guess, as on bedrock-local (Nova's real figure varies with size). */
const MEDIA_TOKENS = 1_000;

const textTokens = (text: string): number => Math.ceil(text.length / 4);

/**
 * novaloop's token estimate: about 4 characters a token (Nova's ratio for English), tool blocks by
 * their JSON text. It is the same rule bedrock-local charges, so tests can check budgets exactly; on
 * Bedrock it is an estimate, which is why `maxInputTokens` should keep a margin below the window.
 */
export function estimateTokens(message: Message): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS;
  for (const block of message.content ?? []) tokens += blockTokens(block);
  return tokens;
}

function blockTokens(block: ContentBlock | ToolResultContentBlock): number {
  if (block.text !== undefined) return textTokens(block.text);
  if ('toolUse' in block && block.toolUse)
    return textTokens(block.toolUse.name ?? '') + textTokens(JSON.stringify(block.toolUse.input ?? {}));
  if ('toolResult' in block && block.toolResult) {
    let total = 0;
    for (const part of block.toolResult.content ?? []) total += blockTokens(part);
    return total;
  }
  if ('json' in block && block.json !== undefined) return textTokens(JSON.stringify(block.json));
  if (block.image || block.video) return MEDIA_TOKENS;
  if (block.document) return MEDIA_TOKENS;
  if ('cachePoint' in block && block.cachePoint) return 0;
  if ('reasoningContent' in block && block.reasoningContent) return textTokens(block.reasoningContent.reasoningText?.text ?? '');
  return textTokens(JSON.stringify(block));
}

/** Token counts per message object, so a message is counted once however many steps send it. */
function memoised(count: (message: Message) => number): (message: Message) => number {
  const cache = new WeakMap<Message, number>();
  return (message) => {
    let tokens = cache.get(message);
    if (tokens === undefined) {
      tokens = count(message);
      cache.set(message, tokens);
    }
    return tokens;
  };
}

export interface SlidingWindowOptions {
  /** Input budget of every call: system, tools and messages together, in estimated tokens. */
  maxInputTokens: number;
  /** Tokens of one message; `estimateTokens` by default. */
  countTokens?: (message: Message) => number;
}

/**
 * Sends the newest messages that fit `maxInputTokens`, starting at a cut point. When not even the
 * current run's own messages fit, it sends them from the run's prompt anyway (there is no valid
 * shorter cut); a model that refuses them ends the run with `ContextWindowExceededError`.
 * Each call costs O(messages kept): token counts are memoised per message and the walk starts
 * from the newest message.
 */
export function slidingWindow(options: SlidingWindowOptions): ContextPolicy {
  positive('slidingWindow maxInputTokens', options.maxInputTokens);
  const count = memoised(options.countTokens ?? estimateTokens);
  return {
    select(request) {
      let budget = options.maxInputTokens - request.fixedTokens;
      if (request.reason === 'overflow' && request.previous) {
        // The estimate was too low for this model: aim at half of what was refused.
        budget = Math.min(budget, Math.floor(tokensFrom(request.messages, request.previous.start, count) / 2));
      }
      return { start: windowStart(request.messages, budget, count) };
    },
  };
}

/** The earliest cut point from which the rest fits `budget`, or else the newest cut point. */
function windowStart(messages: readonly Message[], budget: number, count: (message: Message) => number): number {
  let fits = messages.length;
  let total = 0;
  while (fits > 0) {
    const tokens = count(messages[fits - 1] as Message);
    if (total + tokens > budget) break;
    total += tokens;
    fits--;
  }
  for (let i = fits; i < messages.length; i++) if (isCutPoint(messages, i)) return i;
  return newestCutPoint(messages, messages.length - 1, -1) ?? 0;
}

function newestCutPoint(messages: readonly Message[], from: number, above: number): number | undefined {
  for (let i = from; i > above; i--) if (isCutPoint(messages, i)) return i;
  return undefined;
}

function tokensFrom(messages: readonly Message[], start: number, count: (message: Message) => number): number {
  let total = 0;
  for (let i = start; i < messages.length; i++) total += count(messages[i] as Message);
  return total;
}

export interface SummarizingOptions {
  /** The model that writes summaries (default `amazon.nova-micro-v1:0`, the cheapest Nova). */
  model?: string;
  /** Messages kept word for word after the summary (default 8); the cut moves back to a cut point. */
  keepRecent?: number;
  /**
   * Also summarize as soon as the summary and the unsummarized messages pass this many estimated
   * tokens (system and tools included). Without it, only message counts trigger a summary.
   */
  maxInputTokens?: number;
  /** Longest summary asked for, in tokens (default 1,000). */
  maxSummaryTokens?: number;
  /** Most estimated tokens of conversation sent in one summary request (default 50,000). */
  maxChunkTokens?: number;
  countTokens?: (message: Message) => number;
}

const SUMMARY_SYSTEM =
  'You summarize a conversation between a user and an AI assistant that uses tools, so that the assistant can continue it ' +
  'without the original messages. Keep every fact, figure, name, decision, user preference and open question; keep what tools ' +
  'returned that still matters. Drop pleasantries. Write plain prose in the third person, no preamble.';

/**
 * Replaces older messages with a summary written by a small model, keeping the `keepRecent` newest
 * messages as they are. A summary is made when more than `2 × keepRecent` messages follow the last
 * one (so not at every step), when `maxInputTokens` is passed, or when the model refused the input
 * as too long. Each new summary folds the previous one in, so a long session costs one short
 * request now and then, never a re-read of the whole history.
 */
export function summarizing(options: SummarizingOptions = {}): ContextPolicy {
  const model = options.model ?? 'amazon.nova-micro-v1:0';
  const keepRecent = options.keepRecent ?? 8;
  positive('summarizing keepRecent', keepRecent);
  if (options.maxInputTokens !== undefined) positive('summarizing maxInputTokens', options.maxInputTokens);
  const maxSummaryTokens = options.maxSummaryTokens ?? 1_000;
  positive('summarizing maxSummaryTokens', maxSummaryTokens);
  const maxChunkTokens = options.maxChunkTokens ?? 50_000;
  positive('summarizing maxChunkTokens', maxChunkTokens);
  const count = memoised(options.countTokens ?? estimateTokens);

  return {
    async select(request) {
      const { messages } = request;
      const kept = request.summary;
      const summary = kept && kept.upTo < messages.length && isCutPoint(messages, kept.upTo) ? kept : undefined;
      const from = summary?.upTo ?? 0;
      const overflow = request.reason === 'overflow';
      const recent = overflow ? Math.max(1, Math.floor(keepRecent / 2)) : keepRecent;
      const tooLong =
        options.maxInputTokens !== undefined &&
        request.fixedTokens + textTokens(summary?.text ?? '') + tokensFrom(messages, from, count) > options.maxInputTokens;
      const unchanged: ContextWindow = summary ? { start: from, summary } : { start: from };
      if (!overflow && !tooLong && messages.length - from <= 2 * keepRecent) return unchanged;

      const cut = newestCutPoint(messages, Math.min(messages.length - recent, messages.length - 1), from);
      if (cut === undefined) return unchanged;
      let text = summary?.text;
      for (const [start, end] of chunks(messages, from, cut, maxChunkTokens, count)) {
        const prompt =
          (text ? `The summary so far:\n${text}\n\nThe conversation that follows it:\n` : 'The conversation:\n') +
          transcript(messages, start, end) +
          '\n\nWrite the updated summary.';
        const answer = (await request.complete({ modelId: model, system: SUMMARY_SYSTEM, prompt, maxTokens: maxSummaryTokens })).trim();
        // A blank answer would be rejected by Bedrock as a text block; keep the last good summary.
        if (!answer) return unchanged;
        text = answer;
      }
      return { start: cut, summary: { text: text as string, upTo: cut } };
    },
  };
}

function* chunks(
  messages: readonly Message[],
  from: number,
  to: number,
  maxTokens: number,
  count: (message: Message) => number,
): Generator<[number, number]> {
  let start = from;
  let tokens = 0;
  for (let i = from; i < to; i++) {
    const t = count(messages[i] as Message);
    if (i > start && tokens + t > maxTokens) {
      yield [start, i];
      start = i;
      tokens = 0;
    }
    tokens += t;
  }
  if (start < to) yield [start, to];
}

const TRANSCRIPT_PART_CHARS = 4_000;

/** The messages as plain text, so the summarizer needs no toolConfig and sees no tool blocks. */
export function transcript(messages: readonly Message[], start: number, end: number): string {
  const lines: string[] = [];
  for (let i = start; i < end; i++) {
    const message = messages[i] as Message;
    const who = message.role === 'user' ? 'User' : 'Assistant';
    for (const block of message.content ?? []) {
      if (block.text !== undefined) lines.push(`${who}: ${clip(block.text)}`);
      else if (block.toolUse) lines.push(`${who} called ${block.toolUse.name}(${clip(JSON.stringify(block.toolUse.input ?? {}))})`);
      else if (block.toolResult) {
        const parts = (block.toolResult.content ?? []).map((part) =>
          part.text !== undefined ? part.text : part.json !== undefined ? JSON.stringify(part.json) : '[attachment]',
        );
        lines.push(`Tool result${block.toolResult.status === 'error' ? ' (error)' : ''}: ${clip(parts.join(' '))}`);
      } else if (block.image) lines.push(`${who}: [image]`);
      else if (block.document) lines.push(`${who}: [document ${block.document.name ?? ''}]`);
    }
  }
  return lines.join('\n');
}

const clip = (text: string): string =>
  text.length > TRANSCRIPT_PART_CHARS
    ? `${text.slice(0, TRANSCRIPT_PART_CHARS)}… [${text.length - TRANSCRIPT_PART_CHARS} characters cut]`
    : text;

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

function positive(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new AgentConfigError(`\`${name}\` must be an integer ≥ 1 (got ${value}).`);
}
