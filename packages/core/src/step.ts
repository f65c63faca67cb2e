import type { Message, ToolResultContentBlock } from '@aws-sdk/client-bedrock-runtime';
import type { Usage } from './usage.js';

/** One tool call the model asked for, and what the tool answered. */
export interface ToolCall {
  toolUseId: string;
  name: string;
  /** The input as the model sent it (before schema defaults or transforms). */
  input: unknown;
  status: 'success' | 'error';
  /** The toolResult content sent back to the model. */
  content: ToolResultContentBlock[];
  /** For `status: 'error'`: what went wrong, as told to the model. */
  error?: string;
  durationMs: number;
}

/** One model call and the tool calls it led to. */
export interface Step {
  index: number;
  modelId: string;
  /** The Converse stop reason of this call. */
  stopReason: string;
  /** The assistant message as the model wrote it (thinking included), as kept in history. */
  message: Message;
  /** The answer text of this call, without `<thinking>` sections. */
  text: string;
  /** Nova's `<thinking>` text (or reasoning content) of this call. */
  rationale: string | undefined;
  toolCalls: ToolCall[];
  usage: Usage;
  /** USD; `undefined` when the model's price is unknown. */
  costUsd: number | undefined;
  /** Model time of the successful attempt, from request to the last byte. */
  latencyMs: number;
  /** Model requests this step took: 1, plus retries and greedy tool-use repairs. */
  attempts: number;
  startTime: Date;
  endTime: Date;
}
