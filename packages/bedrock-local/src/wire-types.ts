// The parts of the Converse wire format bedrock-local reads and writes. Request bodies arrive as
// untrusted JSON, so validation works on `unknown` and narrows; these types describe what is valid.

export type StopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'guardrail_intervened'
  | 'content_filtered'
  | 'malformed_model_output'
  | 'malformed_tool_use'
  | 'model_context_window_exceeded';

export type JsonObject = { [key: string]: unknown };

export interface TextBlock {
  text: string;
}
export interface ToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: JsonObject };
}
export interface ToolResultBlock {
  toolResult: {
    toolUseId: string;
    content: Array<{ json: JsonObject } | { text: string } | Record<string, unknown>>;
    status?: 'success' | 'error';
  };
}
export interface ReasoningBlock {
  reasoningContent: { reasoningText: { text: string; signature?: string } };
}
export interface CachePointBlock {
  cachePoint: { type: 'default'; ttl?: string };
}
/** Any Converse content block; the named ones are those bedrock-local interprets. */
export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock | ReasoningBlock | CachePointBlock | Record<string, unknown>;

export interface Message {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export interface ToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: JsonObject } };
}

export interface ConverseRequestBody {
  messages: Message[];
  system?: Array<{ text: string } | CachePointBlock | Record<string, unknown>>;
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: Array<ToolSpec | CachePointBlock | Record<string, unknown>>; toolChoice?: Record<string, unknown> };
  additionalModelRequestFields?: JsonObject;
  [field: string]: unknown;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
