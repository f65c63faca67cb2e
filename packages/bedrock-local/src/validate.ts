import { validationError } from './errors.js';
import type { ModelInfo } from './models.js';
import { isObject, type ConverseRequestBody } from './wire-types.js';

const TOOL_NAME = /^[a-zA-Z0-9_-]+$/;

/**
 * Validates a Converse request body as the service does, throwing the service's ValidationException
 * text. Two layers, in the service's order:
 * 1. shape constraints, reported together as "N validation error(s) detected: …" with the service
 *    model's 1-based member paths (`messages.1.member.role`);
 * 2. conversation rules, reported one at a time with 0-based paths (`messages.0.content.0`).
 * Returns the body, now known to be well-formed.
 */
export function validateConverseRequest(body: unknown, model: ModelInfo): ConverseRequestBody {
  if (!isObject(body))
    throw validationError("1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null");
  checkShape(body);
  const request = body as ConverseRequestBody;
  checkConversation(request);
  checkTools(request);
  const maxTokens = request.inferenceConfig?.maxTokens;
  if (maxTokens !== undefined && maxTokens > model.maxOutputTokens) {
    throw validationError(
      `The maximum tokens you requested exceeds the model limit of ${model.maxOutputTokens}. Try again with a maximum tokens value that is lower than ${model.maxOutputTokens}.`,
    );
  }
  return request;
}

function checkShape(body: Record<string, unknown>): void {
  const errors: string[] = [];
  const fail = (value: unknown, path: string, constraint: string) =>
    errors.push(`Value ${describe(value)} at '${path}' failed to satisfy constraint: Member ${constraint}`);

  if (!Array.isArray(body.messages)) {
    fail(null, 'messages', 'must not be null');
  } else {
    body.messages.forEach((message: unknown, i) => {
      const role = isObject(message) ? message.role : undefined;
      if (role === undefined) fail(null, `messages.${i + 1}.member.role`, 'must not be null');
      else if (role !== 'user' && role !== 'assistant') {
        fail(role, `messages.${i + 1}.member.role`, 'must satisfy enum value set: [user, assistant]');
      }
    });
  }

  if (body.system !== undefined && !Array.isArray(body.system)) fail(body.system, 'system', 'must be a list of SystemContentBlock');
  if (Array.isArray(body.messages)) {
    body.messages.forEach((message: unknown, i) => {
      if (isObject(message) && message.content !== undefined && !Array.isArray(message.content)) {
        fail(message.content, `messages.${i + 1}.member.content`, 'must be a list of ContentBlock');
      }
    });
  }

  const inference = body.inferenceConfig;
  if (isObject(inference)) {
    const { maxTokens, temperature, topP } = inference;
    if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)) {
      fail(maxTokens, 'inferenceConfig.maxTokens', 'must have value greater than or equal to 1');
    }
    for (const [name, value] of [
      ['temperature', temperature],
      ['topP', topP],
    ] as const) {
      if (value === undefined) continue;
      if (typeof value !== 'number' || value < 0) fail(value, `inferenceConfig.${name}`, 'must have value greater than or equal to 0');
      else if (value > 1) fail(value, `inferenceConfig.${name}`, 'must have value less than or equal to 1');
    }
  }

  const toolConfig = body.toolConfig;
  if (toolConfig !== undefined) {
    const tools = isObject(toolConfig) ? toolConfig.tools : undefined;
    if (!Array.isArray(tools)) fail(null, 'toolConfig.tools', 'must not be null');
    else if (tools.length === 0) fail([], 'toolConfig.tools', 'must have length greater than or equal to 1');
    else {
      tools.forEach((tool: unknown, i) => {
        if (!isObject(tool) || !isObject(tool.toolSpec)) return;
        const name = tool.toolSpec.name;
        const path = `toolConfig.tools.${i + 1}.member.toolSpec.name`;
        if (typeof name !== 'string') return fail(null, path, 'must not be null');
        if (name.length > 64) fail(name, path, 'must have length less than or equal to 64');
        if (!TOOL_NAME.test(name)) fail(name, path, 'must satisfy regular expression pattern: [a-zA-Z0-9_-]+');
      });
    }
  }

  if (errors.length > 0) {
    throw validationError(`${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`);
  }
}

function checkConversation(request: ConverseRequestBody): void {
  const { messages } = request;
  if (messages.length === 0 || messages[0]?.role !== 'user') {
    throw validationError('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  }
  for (let i = 1; i < messages.length; i++) {
    if (messages[i]?.role === messages[i - 1]?.role) {
      throw validationError(
        'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
      );
    }
  }

  (request.system ?? []).forEach((block, k) => {
    if (isObject(block) && typeof block.text === 'string' && block.text.trim() === '') {
      throw validationError(
        `The text field in the SystemContentBlock object at system.${k} is blank. Add text to the text field, and try again.`,
      );
    }
  });

  let hasToolBlocks = false;
  messages.forEach((message, i) => {
    if (!Array.isArray(message.content) || message.content.length === 0) {
      throw validationError(
        `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`,
      );
    }
    message.content.forEach((block, j) => {
      const at = `messages.${i}.content.${j}`;
      if (!isObject(block)) return;
      if (typeof block.text === 'string' && block.text.trim() === '') {
        throw validationError(`The text field in the ContentBlock object at ${at} is blank. Add text to the text field, and try again.`);
      }
      if (isObject(block.toolUse)) {
        hasToolBlocks = true;
        if (!isObject(block.toolUse.input)) throw invalidJson(`${at}.toolUse.input`);
      }
      if (isObject(block.toolResult)) {
        hasToolBlocks = true;
        const content = block.toolResult.content;
        if (Array.isArray(content)) {
          content.forEach((part: unknown, k) => {
            if (isObject(part) && 'json' in part && !isObject(part.json)) throw invalidJson(`${at}.toolResult.content.${k}.json`);
          });
        }
      }
    });
  });

  if (hasToolBlocks && request.toolConfig === undefined) {
    throw validationError('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
  }

  // Every toolUse an assistant turn makes must be answered by a toolResult in the next user turn,
  // and that turn may answer nothing else.
  for (let i = 1; i < messages.length; i++) {
    const message = messages[i];
    if (message?.role !== 'user') continue;
    const expected = idsOf(messages[i - 1]?.content ?? [], 'toolUse');
    const results = idsOf(message.content, 'toolResult');
    if (results.length > expected.length) {
      throw validationError(
        `The number of toolResult blocks at messages.${i}.content exceeds the number of toolUse blocks of previous turn.`,
      );
    }
    const answered = new Set(results);
    const missing = expected.filter((id) => !answered.has(id));
    if (missing.length > 0) {
      throw validationError(`Expected toolResult blocks at messages.${i}.content for the following Ids: ${missing.join(', ')}`);
    }
  }
}

function checkTools(request: ConverseRequestBody): void {
  request.toolConfig?.tools.forEach((tool, i) => {
    if (!isObject(tool) || !isObject(tool.toolSpec)) return;
    const schema = isObject(tool.toolSpec.inputSchema) ? tool.toolSpec.inputSchema.json : undefined;
    if (!isObject(schema) || schema.type !== 'object') {
      throw validationError(`The value at toolConfig.tools.${i}.toolSpec.inputSchema.json.type must be one of the following: object.`);
    }
  });
}

function idsOf(content: readonly unknown[], kind: 'toolUse' | 'toolResult'): string[] {
  const ids: string[] = [];
  for (const block of content) {
    if (!isObject(block)) continue;
    const inner = block[kind];
    if (isObject(inner)) ids.push(String(inner.toolUseId));
  }
  return ids;
}

const invalidJson = (path: string) =>
  validationError(`The format of the value at ${path} is invalid. Provide a json object for the field and try again.`);

const describe = (value: unknown): string =>
  value === null || value === undefined ? 'null' : `'${Array.isArray(value) ? '[]' : String(value)}'`;
