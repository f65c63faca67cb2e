import type { ContentBlock, ConverseRequest, Message } from '@aws-sdk/client-bedrock-runtime';

/**
 * The Converse request body, as the SDK serialises it: everything but `modelId` (it is in the path),
 * with blobs (image, document, video and audio bytes, redacted reasoning) as base64.
 */
export function requestBody(request: ConverseRequest): string {
  const { modelId: _inPath, ...body } = request;
  // A replacer slows JSON.stringify down for every key; only a request that carries bytes needs one.
  return hasBytes(request) ? JSON.stringify(body, base64Bytes) : JSON.stringify(body);
}

function base64Bytes(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Uint8Array ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') : value;
}

function hasBytes(request: ConverseRequest): boolean {
  for (const message of request.messages ?? []) if (message.content?.some(blockHasBytes)) return true;
  // A guardrail image can sit in the system prompt too.
  return request.system?.some((block) => block.guardContent !== undefined) ?? false;
}

const blockHasBytes = (block: ContentBlock): boolean =>
  block.image !== undefined ||
  block.document !== undefined ||
  block.video !== undefined ||
  block.guardContent !== undefined ||
  (block as { audio?: unknown }).audio !== undefined ||
  block.reasoningContent?.redactedContent !== undefined ||
  (block.toolResult?.content?.some((part) => part.image !== undefined || part.document !== undefined || part.video !== undefined) ?? false);

/** Turns the base64 `redactedContent` of an answer into bytes, as the SDK's deserialiser does. */
export function reviveBlobs(holder: Record<string, unknown>): void {
  const delta = holder.delta as { reasoningContent?: { redactedContent?: unknown } } | undefined;
  if (typeof delta?.reasoningContent?.redactedContent === 'string') {
    delta.reasoningContent.redactedContent = Buffer.from(delta.reasoningContent.redactedContent, 'base64');
  }
}

/** The same for the blocks of a Converse answer's message. */
export function reviveMessageBlobs(message: Message | undefined): void {
  for (const block of message?.content ?? []) {
    const reasoning = block.reasoningContent as { redactedContent?: unknown } | undefined;
    if (typeof reasoning?.redactedContent === 'string') reasoning.redactedContent = Buffer.from(reasoning.redactedContent, 'base64');
  }
}
