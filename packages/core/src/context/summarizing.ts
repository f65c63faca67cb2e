import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { estimateTokens, memoised, textTokens, tokensFrom } from './estimate-tokens.js';
import { isCutPoint, type ContextPolicy, type ContextWindow } from './policy.js';
import { positive } from './positive.js';
import { newestCutPoint } from './sliding-window.js';

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
    models: [model],
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
        const ask: Message[] = [{ role: 'user', content: [{ text: prompt }] }];
        const answer = (await request.complete(ask, { modelId: model, system: SUMMARY_SYSTEM, maxTokens: maxSummaryTokens })).trim();
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
