import type { ToolResultContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { toolContent, type ToolContent } from '@novaloop/core';

/** The parts of an MCP CallToolResult novaloop reads. */
export interface McpCallResult {
  content?: unknown[];
  structuredContent?: unknown;
  isError?: boolean;
  /** Old servers (protocol 2024-10-07) answer with this instead of `content`. */
  toolResult?: unknown;
}

const IMAGE_FORMATS: Record<string, 'png' | 'jpeg' | 'gif' | 'webp'> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/**
 * An MCP tool result as Converse toolResult blocks: text to text, structured content to json, images
 * to image blocks, and `isError` to an error result the model sees. What Converse cannot carry
 * (audio, binary resources, other image types) is named in a text block rather than dropped silently.
 */
export function toConverseBlocks(result: McpCallResult): ToolContent {
  const blocks: ToolResultContentBlock[] = [];
  const structured = isObject(result.structuredContent) ? result.structuredContent : undefined;
  if (structured) blocks.push({ json: structured as ToolResultContentBlock.JsonMember['json'] });
  for (const item of Array.isArray(result.content) ? result.content : []) {
    const block = toBlock(item, structured);
    if (block) blocks.push(block);
  }
  if (result.content === undefined && result.toolResult !== undefined) {
    blocks.push(isObject(result.toolResult) ? { json: result.toolResult as never } : { json: { result: result.toolResult as never } });
  }
  return toolContent(blocks, { status: result.isError === true ? 'error' : 'success' });
}

function toBlock(item: unknown, structured: object | undefined): ToolResultContentBlock | undefined {
  if (!isObject(item)) return undefined;
  const block = item as {
    type?: unknown;
    text?: unknown;
    data?: unknown;
    mimeType?: unknown;
    uri?: unknown;
    name?: unknown;
    resource?: unknown;
  };
  switch (block.type) {
    case 'text': {
      const text = typeof block.text === 'string' ? block.text : '';
      // The spec asks servers to repeat structured content as JSON text; the json block already has it.
      if (text === '' || (structured && sameJson(text, structured))) return undefined;
      return { text };
    }
    case 'image': {
      const format = typeof block.mimeType === 'string' ? IMAGE_FORMATS[block.mimeType.toLowerCase()] : undefined;
      if (!format || typeof block.data !== 'string')
        return { text: `[an image of type ${String(block.mimeType)} was left out: Converse takes png, jpeg, gif and webp]` };
      return { image: { format, source: { bytes: Buffer.from(block.data, 'base64') } } };
    }
    case 'audio':
      return { text: `[audio (${String(block.mimeType)}) was left out: Converse tool results cannot carry audio]` };
    case 'resource_link':
      return { text: `Resource ${String(block.name ?? '')} at ${String(block.uri)}`.replace('Resource  at', 'Resource at') };
    case 'resource': {
      const resource = isObject(block.resource) ? (block.resource as { uri?: unknown; text?: unknown; mimeType?: unknown }) : {};
      if (typeof resource.text === 'string') return { text: resource.text };
      return { text: `[binary resource ${String(resource.uri)} (${String(resource.mimeType ?? 'unknown type')}) was left out]` };
    }
    default:
      return { text: `[content of type ${String(block.type)} was left out]` };
  }
}

function sameJson(text: string, value: object): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
