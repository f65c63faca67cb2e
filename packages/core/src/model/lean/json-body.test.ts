import type { ConverseRequest } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { requestBody, reviveMessageBlobs } from './json-body.js';

const bytes = new Uint8Array([0, 1, 2, 250, 255]);
const b64 = Buffer.from(bytes).toString('base64');

describe('requestBody', () => {
  it('leaves modelId out (it is in the path) and keeps everything else as JSON', () => {
    const request: ConverseRequest = { modelId: 'us.amazon.nova-pro-v1:0', messages: [{ role: 'user', content: [{ text: 'Hi' }] }] };
    expect(JSON.parse(requestBody(request))).toEqual({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
  });

  it('sends every kind of bytes as base64, wherever it sits', () => {
    const request: ConverseRequest = {
      modelId: 'm',
      system: [{ guardContent: { image: { format: 'png', source: { bytes } } } }],
      messages: [
        { role: 'user', content: [{ document: { format: 'pdf', name: 'doc', source: { bytes } } }] },
        { role: 'assistant', content: [{ reasoningContent: { redactedContent: bytes } }] },
        {
          role: 'user',
          content: [{ toolResult: { toolUseId: 't', content: [{ image: { format: 'jpeg', source: { bytes: Buffer.from(bytes) } } }] } }],
        },
      ],
    };
    const body = JSON.parse(requestBody(request)) as Record<string, unknown>;
    expect(body).toEqual({
      system: [{ guardContent: { image: { format: 'png', source: { bytes: b64 } } } }],
      messages: [
        { role: 'user', content: [{ document: { format: 'pdf', name: 'doc', source: { bytes: b64 } } }] },
        { role: 'assistant', content: [{ reasoningContent: { redactedContent: b64 } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 't', content: [{ image: { format: 'jpeg', source: { bytes: b64 } } }] } }] },
      ],
    });
  });
});

describe('reviveMessageBlobs', () => {
  it("turns an answer's base64 redactedContent into bytes, as the SDK does", () => {
    const message = {
      role: 'assistant' as const,
      content: [{ reasoningContent: { redactedContent: b64 as unknown as Uint8Array } }, { text: 'ok' }],
    };
    reviveMessageBlobs(message);
    expect(Buffer.from(message.content[0]!.reasoningContent!.redactedContent)).toEqual(Buffer.from(bytes));
  });
});
