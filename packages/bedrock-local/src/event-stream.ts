import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import { isObject, type ContentBlock, type StopReason, type TokenUsage } from './wire-types.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The real service pads every event payload with a random-length `"p"` field; clients must ignore it. */
const padding = (): string => PADDING.slice(0, 1 + Math.floor(Math.random() * PADDING.length));

export type StreamEvent = { type: string; payload: Record<string, unknown> };

/** Frames one event (`:message-type: event`), CRCs included. */
export function encodeEvent(event: StreamEvent): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: event.type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify({ ...event.payload, p: padding() })),
  });
}

/** Frames a modeled exception (`:message-type: exception`), as sent mid-stream. */
export function encodeException(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

/** Splits text after whitespace into pieces of a few words, as tokens arrive. */
function textPieces(text: string): string[] {
  const words = text.split(/(?<=\s)/);
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += 3) pieces.push(words.slice(i, i + 3).join(''));
  return pieces;
}

/** Splits a JSON text at arbitrary points, as partial tool input arrives. */
function jsonPieces(json: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < json.length; i += 16) pieces.push(json.slice(i, i + 16));
  return pieces.length > 0 ? pieces : [json];
}

/** The ConverseStream events for one assistant message's content, before messageStop. */
export function contentEvents(content: readonly ContentBlock[]): StreamEvent[] {
  const events: StreamEvent[] = [{ type: 'messageStart', payload: { role: 'assistant' } }];
  content.forEach((block, contentBlockIndex) => {
    if (!isObject(block)) return;
    if (typeof block.text === 'string') {
      // The first text delta of a block is empty on the real service.
      events.push({ type: 'contentBlockDelta', payload: { contentBlockIndex, delta: { text: '' } } });
      for (const text of textPieces(block.text)) {
        events.push({ type: 'contentBlockDelta', payload: { contentBlockIndex, delta: { text } } });
      }
    } else if (isObject(block.toolUse)) {
      const { toolUseId, name, input } = block.toolUse;
      events.push({ type: 'contentBlockStart', payload: { contentBlockIndex, start: { toolUse: { toolUseId, name } } } });
      for (const piece of jsonPieces(JSON.stringify(input ?? {}))) {
        events.push({ type: 'contentBlockDelta', payload: { contentBlockIndex, delta: { toolUse: { input: piece } } } });
      }
    } else if (isObject(block.reasoningContent) && isObject(block.reasoningContent.reasoningText)) {
      const { text, signature } = block.reasoningContent.reasoningText;
      events.push({ type: 'contentBlockDelta', payload: { contentBlockIndex, delta: { reasoningContent: { text } } } });
      if (typeof signature === 'string') {
        events.push({ type: 'contentBlockDelta', payload: { contentBlockIndex, delta: { reasoningContent: { signature } } } });
      }
    } else {
      return;
    }
    events.push({ type: 'contentBlockStop', payload: { contentBlockIndex } });
  });
  return events;
}

export function closingEvents(stopReason: StopReason, usage: TokenUsage, latencyMs: number): StreamEvent[] {
  return [
    { type: 'messageStop', payload: { stopReason } },
    { type: 'metadata', payload: { usage, metrics: { latencyMs } } },
  ];
}
