import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import { describe, expect, it } from 'vitest';
import { classifyError } from '../classify-error.js';
import { decodeEventStream } from './decode-event-stream.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string) => ({ type: 'string' as const, value });

const event = (type: string, body: unknown) =>
  Buffer.from(
    codec.encode({
      headers: { ':message-type': str('event'), ':event-type': str(type), ':content-type': str('application/json') },
      body: fromUtf8(JSON.stringify({ ...(body as object), p: 'abcdefgh' })),
    }),
  );
const exception = (type: string, message: string) =>
  Buffer.from(
    codec.encode({
      headers: { ':message-type': str('exception'), ':exception-type': str(type), ':content-type': str('application/json') },
      body: fromUtf8(JSON.stringify({ message })),
    }),
  );

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield part;
}

async function decodeAll(source: AsyncIterable<Buffer>) {
  const out: unknown[] = [];
  for await (const item of decodeEventStream(source)) out.push(item);
  return out;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );

const FRAMES = [
  event('messageStart', { role: 'assistant' }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }),
  event('contentBlockDelta', {
    contentBlockIndex: 1,
    delta: { reasoningContent: { redactedContent: Buffer.from('secret').toString('base64') } },
  }),
  event('messageStop', { stopReason: 'end_turn' }),
];

describe('decodeEventStream', () => {
  it('decodes frames split anywhere across chunks, dropping the padding and reviving blobs', async () => {
    const whole = Buffer.concat(FRAMES);
    const expected = await decodeAll(chunks(whole));
    expect(expected[0]).toEqual({ messageStart: { role: 'assistant' } });
    expect(expected[1]).toEqual({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hi' } } });
    const redacted = (expected[2] as { contentBlockDelta: { delta: { reasoningContent: { redactedContent: Uint8Array } } } })
      .contentBlockDelta.delta.reasoningContent.redactedContent;
    expect(Buffer.from(redacted).toString()).toBe('secret');
    // One byte at a time, and in uneven slices: the same events.
    expect(await decodeAll(chunks(...[...whole].map((byte) => Buffer.from([byte]))))).toEqual(expected);
    expect(await decodeAll(chunks(whole.subarray(0, 7), whole.subarray(7, 100), whole.subarray(100)))).toEqual(expected);
  });

  it('rejects a frame whose message CRC does not match, as a transient error', async () => {
    const frame = Buffer.from(FRAMES[1]!);
    frame[frame.length - 6]! ^= 0xff; // a payload byte
    const error = await failure(decodeAll(chunks(FRAMES[0]!, frame)));
    expect(error?.message).toMatch(/checksum/);
    expect(classifyError(error)).toMatchObject({ kind: 'transient' });
  });

  it('rejects a frame whose prelude CRC does not match', async () => {
    const frame = Buffer.from(FRAMES[1]!);
    frame[5]! ^= 0x01; // the headers length, inside the prelude
    const error = await failure(decodeAll(chunks(frame)));
    expect(error?.message).toMatch(/prelude checksum/);
  });

  it('rejects a stream that ends inside a frame', async () => {
    const error = await failure(decodeAll(chunks(FRAMES[0]!, FRAMES[1]!.subarray(0, 10))));
    expect(error?.message).toMatch(/truncated/);
    expect(classifyError(error)).toMatchObject({ kind: 'transient' });
  });

  it('throws an exception frame as the service error the SDK would name', async () => {
    const error = await failure(decodeAll(chunks(FRAMES[0]!, exception('throttlingException', 'Too many requests'))));
    expect(error).toMatchObject({ name: 'ThrottlingException', message: 'Too many requests' });
    expect(classifyError(error)).toMatchObject({ code: 'ThrottlingException', kind: 'transient' });
    const validation = await failure(decodeAll(chunks(exception('validationException', 'Input is too long for requested model.'))));
    expect(classifyError(validation)).toMatchObject({ code: 'ValidationException', kind: 'context-window' });
  });
});
