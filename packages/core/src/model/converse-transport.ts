import type { ContentBlock, ConverseStreamOutput, Message, StopReason, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { performance } from 'node:perf_hooks';
import type { ConverseAnswer } from './converse-wire.js';
import { toUsage, type Usage } from './usage.js';

/** A piece of the model's answer as it arrives. */
export type ModelDelta =
  | { kind: 'text'; text: string }
  | { kind: 'tool-input'; toolUseId: string; name: string; delta: string }
  | { kind: 'reasoning'; text: string };

/** One finished model call. */
export interface ModelTurn {
  message: Message;
  stopReason: StopReason;
  usage: Usage;
  latencyMs: number;
  /** A toolUse whose input was not a complete JSON object (Nova cut it short). */
  brokenToolUse: boolean;
}

/**
 * ConverseStream's answer, assembled from its events into the message Converse would have returned.
 * The model-call driver feeds it each event as it arrives and hands on the delta it returns: no
 * generator of its own between the SDK's stream and the driver, which would cost a promise round
 * trip per event.
 */
export class StreamedTurn {
  private readonly blocks: BlockDraft[] = [];
  private stopReason: StopReason | undefined;
  private usage: Usage | undefined;

  constructor(private readonly started: number) {}

  /** Takes one event of the stream; returns the piece of the answer it carries, if any. */
  push(event: ConverseStreamOutput): ModelDelta | undefined {
    const blocks = this.blocks;
    if (event.contentBlockStart) {
      const start = event.contentBlockStart.start?.toolUse;
      if (start)
        blocks[event.contentBlockStart.contentBlockIndex ?? blocks.length] = {
          toolUse: { toolUseId: start.toolUseId ?? '', name: start.name ?? '', json: '' },
        };
    } else if (event.contentBlockDelta) {
      const index = event.contentBlockDelta.contentBlockIndex ?? 0;
      const delta = event.contentBlockDelta.delta;
      if (delta?.text !== undefined) {
        const block = (blocks[index] ??= { text: '' });
        if ('text' in block) block.text += delta.text;
        if (delta.text) return { kind: 'text', text: delta.text };
      } else if (delta?.toolUse) {
        const block = blocks[index];
        const piece = delta.toolUse.input ?? '';
        if (block && 'toolUse' in block) {
          block.toolUse.json += piece;
          return { kind: 'tool-input', toolUseId: block.toolUse.toolUseId, name: block.toolUse.name, delta: piece };
        }
      } else if (delta?.reasoningContent) {
        const block = (blocks[index] ??= { reasoning: { text: '', signature: undefined, redacted: undefined } });
        if ('reasoning' in block) {
          const reasoning = delta.reasoningContent;
          if (reasoning.signature !== undefined) block.reasoning.signature = reasoning.signature;
          if (reasoning.redactedContent !== undefined) block.reasoning.redacted = reasoning.redactedContent;
          if (reasoning.text !== undefined) {
            block.reasoning.text += reasoning.text;
            return { kind: 'reasoning', text: reasoning.text };
          }
        }
      }
    } else if (event.messageStop) {
      this.stopReason = event.messageStop.stopReason;
    } else if (event.metadata) {
      this.usage = toUsage(event.metadata.usage);
    }
    return undefined;
  }

  /** The finished turn, once the stream has ended; a stream cut short before messageStop throws. */
  finish(): ModelTurn {
    if (this.stopReason === undefined) {
      throw Object.assign(new Error('The ConverseStream response ended before messageStop (connection cut short).'), {
        name: 'StreamIncompleteError',
      });
    }
    const { content, brokenToolUse } = finishBlocks(this.blocks);
    return {
      message: { role: 'assistant', content },
      stopReason: this.stopReason,
      usage: this.usage ?? toUsage(undefined),
      latencyMs: performance.now() - this.started,
      brokenToolUse,
    };
  }
}

/**
 * Converse's answer, for `stream: false`, with the same deltas the stream would have carried (one per
 * block), so the loop above it, its events and its traces are the same either way.
 */
export function conversedTurn(response: ConverseAnswer, latencyMs: number): { turn: ModelTurn; deltas: ModelDelta[] } {
  const content = (response.output?.message?.content ?? []).filter((block) => !isBlankText(block));
  let brokenToolUse = false;
  const deltas: ModelDelta[] = [];
  for (const block of content) {
    // The same check as the stream's: a toolUse input must be a JSON object, or the call is broken.
    if (block.toolUse && !isToolInput(block.toolUse.input)) brokenToolUse = true;
    if (block.text !== undefined) deltas.push({ kind: 'text', text: block.text });
    else if (block.toolUse) {
      deltas.push({
        kind: 'tool-input',
        toolUseId: block.toolUse.toolUseId ?? '',
        name: block.toolUse.name ?? '',
        delta: JSON.stringify(block.toolUse.input ?? {}),
      });
    } else if (block.reasoningContent?.reasoningText?.text !== undefined) {
      deltas.push({ kind: 'reasoning', text: block.reasoningContent.reasoningText.text });
    }
  }
  return {
    turn: {
      message: { role: 'assistant', content },
      stopReason: response.stopReason ?? 'end_turn',
      usage: toUsage(response.usage),
      latencyMs,
      brokenToolUse,
    },
    deltas,
  };
}

type BlockDraft =
  | { text: string }
  | { toolUse: { toolUseId: string; name: string; json: string } }
  | { reasoning: { text: string; signature: string | undefined; redacted: Uint8Array | undefined } };

function finishBlocks(drafts: readonly (BlockDraft | undefined)[]): { content: ContentBlock[]; brokenToolUse: boolean } {
  const content: ContentBlock[] = [];
  let brokenToolUse = false;
  for (const draft of drafts) {
    if (!draft) continue;
    if ('text' in draft) {
      // Nova's stream opens with an empty text delta; Bedrock rejects blank text blocks in history.
      if (draft.text.trim()) content.push({ text: draft.text });
    } else if ('toolUse' in draft) {
      const input = parseToolInput(draft.toolUse.json);
      if (input === undefined) brokenToolUse = true;
      content.push({ toolUse: { toolUseId: draft.toolUse.toolUseId, name: draft.toolUse.name, input: input ?? {} } });
    } else if (draft.reasoning.redacted) {
      content.push({ reasoningContent: { redactedContent: draft.reasoning.redacted } });
    } else {
      content.push({ reasoningContent: { reasoningText: { text: draft.reasoning.text, signature: draft.reasoning.signature } } });
    }
  }
  return { content, brokenToolUse };
}

/** The toolUse input object, or `undefined` if the streamed JSON is incomplete or not an object. */
function parseToolInput(json: string): ToolUseBlock['input'] | undefined {
  if (json.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(json);
    return isToolInput(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** What Bedrock accepts as a toolUse input in history: a JSON object (not an array, string or null). */
function isToolInput(value: unknown): value is NonNullable<ToolUseBlock['input']> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isBlankText = (block: ContentBlock): boolean => block.text !== undefined && block.text.trim() === '';
