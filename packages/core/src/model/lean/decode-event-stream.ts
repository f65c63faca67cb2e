import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import { reviveBlobs } from './json-body.js';
import { streamExceptionOf } from './service-error.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
// A frame's prelude is 12 bytes and its trailer 4; the service caps messages far below 16 MiB.
const MIN_FRAME = 16;
const MAX_FRAME = 16 * 1024 * 1024;

/**
 * ConverseStream events from the raw bytes of an `application/vnd.amazon.eventstream` answer. Each
 * frame goes through the SDK's own codec, which checks the prelude and message CRC32s; a bad one
 * throws its "checksum" error, as it does on the SDK path. An exception frame throws the service
 * error it carries. Bytes left over at the end are a stream cut short.
 */
export async function* decodeEventStream(body: AsyncIterable<Buffer>): AsyncGenerator<ConverseStreamOutput> {
  let pending: Buffer | undefined;
  for await (const chunk of body) {
    let buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
    while (buffer.length >= 4) {
      const length = buffer.readUInt32BE(0);
      if (length < MIN_FRAME || length > MAX_FRAME) throw new Error(`The event stream's prelude is corrupt (frame length ${length}).`);
      if (buffer.length < length) break;
      const event = toEvent(buffer.subarray(0, length));
      if (event) yield event;
      buffer = buffer.subarray(length);
    }
    pending = buffer.length > 0 ? buffer : undefined;
  }
  if (pending) throw new Error(`The event stream was truncated: ${pending.length} byte(s) of an incomplete frame.`);
}

function toEvent(frame: Buffer): ConverseStreamOutput | undefined {
  const message = codec.decode(frame);
  const header = (name: string) => {
    const value = message.headers[name]?.value;
    return typeof value === 'string' ? value : undefined;
  };
  const payload = toUtf8(message.body);
  const type = header(':message-type');
  if (type === 'exception') throw streamExceptionOf(header(':exception-type') ?? 'UnknownError', payload);
  if (type === 'error') throw streamExceptionOf(header(':error-code') ?? 'UnknownError', header(':error-message') ?? payload);
  const eventType = header(':event-type');
  if (type !== 'event' || !eventType) return undefined;
  const data = JSON.parse(payload) as Record<string, unknown>;
  // The service pads events with a random "p" field; the SDK drops it too.
  delete data.p;
  if (eventType === 'contentBlockDelta') reviveBlobs(data);
  return { [eventType]: data } as unknown as ConverseStreamOutput;
}
