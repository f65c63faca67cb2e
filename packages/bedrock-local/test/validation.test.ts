import {
  ConverseCommand,
  ConverseStreamCommand,
  ValidationException,
  type ContentBlock,
  type ConverseCommandInput,
  type Message,
  type Tool,
  type ToolResultContentBlock,
  type ToolUseBlock,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import type { LocalBedrock } from '../src/index.js';
import { NOVA_PRO, postConverse, sdkClient, useLocalBedrock, weatherTool } from './helpers.js';

// Every validation rule bedrock-local enforces, checked end to end: the real AWS SDK client (default
// settings: HTTP/2, standard retries) must surface the service's exact text as a ValidationException
// with status 400, and must not retry it.

const start = useLocalBedrock();

const ERROR_NAMESPACE = 'http://internal.amazon.com/coral/com.amazon.bedrock/';

// ---------------------------------------------------------------------------------------------------
// Builders

type ToolInput = ToolUseBlock['input'];

const text = (value: string): ContentBlock => ({ text: value });
const user = (...content: ContentBlock[]): Message => ({ role: 'user', content });
const assistant = (...content: ContentBlock[]): Message => ({ role: 'assistant', content });
const toolUse = (toolUseId: string, input: ToolInput = { city: 'Paris' }): ContentBlock => ({
  toolUse: { toolUseId, name: 'get_weather', input },
});
const toolResult = (
  toolUseId: string,
  content: ToolResultContentBlock[] = [{ json: { tempC: 18 } }],
  status?: 'success' | 'error',
): ContentBlock => ({ toolResult: { toolUseId, content, ...(status ? { status } : {}) } });
const toolSpec = (name: string, schema: ToolInput = { type: 'object', properties: {} }): Tool => ({
  toolSpec: { name, description: `The ${name} tool`, inputSchema: { json: schema } },
});

const hello = (): Message[] => [user(text('Hello'))];
const tools = { tools: [weatherTool] };
/** user → assistant asking for two tools (tooluse_aaa, tooluse_bbb) → `reply` as messages.2. */
const twoToolCalls = (reply: Message): Message[] => [
  user(text('Weather in Paris and Oslo?')),
  assistant(text('Let me check both.'), toolUse('tooluse_aaa', { city: 'Paris' }), toolUse('tooluse_bbb', { city: 'Oslo' })),
  reply,
];

// ---------------------------------------------------------------------------------------------------
// Assertions

/** Sends `input` with the real SDK and returns what `send` rejected with (fails if it resolved). */
async function sendAndCatch(server: LocalBedrock, input: ConverseCommandInput): Promise<unknown> {
  const client = sdkClient(server);
  try {
    const output = await client.send(new ConverseCommand(input));
    expect.fail(`expected a ValidationException, got a response with stopReason ${output.stopReason}`);
  } catch (error) {
    return error;
  } finally {
    client.destroy();
  }
}

/**
 * The request must be answered by a ValidationException carrying exactly `message`, with status 400,
 * after exactly one request (the SDK does not retry validation errors).
 */
async function expectValidationError(input: Partial<ConverseCommandInput>, message: string): Promise<void> {
  const server = await start();
  const error = await sendAndCatch(server, { modelId: NOVA_PRO, messages: hello(), ...input });
  expect(error).toBeInstanceOf(ValidationException);
  const exception = error as ValidationException;
  expect(exception.name).toBe('ValidationException');
  expect(exception.message).toBe(message);
  expect(exception.$fault).toBe('client');
  expect(exception.$metadata.httpStatusCode).toBe(400);
  expect(exception.$metadata.attempts).toBe(1);
  expect(server.requests).toHaveLength(1);
  expect(server.requests[0]).toMatchObject({ status: 400, errorType: 'ValidationException', route: 'converse' });
}

/** The request must succeed (HTTP 200) on the first attempt. */
async function expectAccepted(input: Partial<ConverseCommandInput>): Promise<void> {
  const server = await start();
  const client = sdkClient(server);
  try {
    const output = await client.send(new ConverseCommand({ modelId: NOVA_PRO, messages: hello(), ...input }));
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(output.output?.message?.role).toBe('assistant');
  } finally {
    client.destroy();
  }
  expect(server.requests).toHaveLength(1);
  expect(server.requests[0]).toMatchObject({ status: 200 });
  expect(server.requests[0]?.errorType).toBeUndefined();
}

const coral = (...errors: string[]) => `${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`;
const badToolName = (value: string, position: number, constraint: string) =>
  `Value '${value}' at 'toolConfig.tools.${position}.member.toolSpec.name' failed to satisfy constraint: Member ${constraint}`;
const PATTERN = 'must satisfy regular expression pattern: [a-zA-Z0-9_-]+';
const MAX_LENGTH_64 = 'must have length less than or equal to 64';

// ---------------------------------------------------------------------------------------------------

describe('conversation structure', () => {
  it('rejects a conversation that does not start with a user message', async () => {
    await expectValidationError(
      { messages: [assistant(text('I speak first.')), user(text('Hello'))] },
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    );
  });

  it('rejects two user messages in a row', async () => {
    await expectValidationError(
      { messages: [user(text('Hello')), user(text('Are you there?'))] },
      'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
    );
  });

  it('rejects two assistant messages in a row', async () => {
    await expectValidationError(
      { messages: [user(text('Hello')), assistant(text('Hi.')), assistant(text('Hi again.')), user(text('Bye'))] },
      'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
    );
  });

  it('rejects an empty content array, naming the message (0-based)', async () => {
    await expectValidationError(
      { messages: [user(text('Hello')), assistant(), user(text('Still there?'))] },
      'The content field in the Message object at messages.1 is empty. Add a ContentBlock object to the content field and try again.',
    );
  });
});

describe('blank text', () => {
  it('rejects a whitespace-only text block in a message', async () => {
    await expectValidationError(
      { messages: [user(text('   '))] },
      'The text field in the ContentBlock object at messages.0.content.0 is blank. Add text to the text field, and try again.',
    );
  });

  it('names the exact block when a later block is blank', async () => {
    await expectValidationError(
      { messages: [user(text('Hello')), assistant(text('Hi.'), text('\n\t ')), user(text('Bye'))] },
      'The text field in the ContentBlock object at messages.1.content.1 is blank. Add text to the text field, and try again.',
    );
  });

  it('rejects a whitespace-only system prompt', async () => {
    await expectValidationError(
      { system: [{ text: '   ' }] },
      'The text field in the SystemContentBlock object at system.0 is blank. Add text to the text field, and try again.',
    );
  });
});

describe('toolUse / toolResult pairing', () => {
  it.each([
    ['answers none of them', user(text('never mind')), 'tooluse_aaa, tooluse_bbb'],
    ['answers only the first', user(toolResult('tooluse_aaa')), 'tooluse_bbb'],
    ['answers only the second', user(toolResult('tooluse_bbb')), 'tooluse_aaa'],
  ])('rejects a user turn that %s', async (_case, reply, missing) => {
    await expectValidationError(
      { messages: twoToolCalls(reply), toolConfig: tools },
      `Expected toolResult blocks at messages.2.content for the following Ids: ${missing}`,
    );
  });

  it('rejects more toolResult blocks than the previous turn had toolUse blocks', async () => {
    await expectValidationError(
      {
        messages: twoToolCalls(user(toolResult('tooluse_aaa'), toolResult('tooluse_bbb'), toolResult('tooluse_ccc'))),
        toolConfig: tools,
      },
      'The number of toolResult blocks at messages.2.content exceeds the number of toolUse blocks of previous turn.',
    );
  });

  it('rejects toolResult blocks after an assistant turn that used no tool', async () => {
    await expectValidationError(
      { messages: [user(text('Hello')), assistant(text('Hi.')), user(toolResult('tooluse_aaa'))], toolConfig: tools },
      'The number of toolResult blocks at messages.2.content exceeds the number of toolUse blocks of previous turn.',
    );
  });

  it('rejects a toolResult whose id matches no toolUse, listing the unanswered id', async () => {
    await expectValidationError(
      { messages: twoToolCalls(user(toolResult('tooluse_aaa'), toolResult('tooluse_ccc'))), toolConfig: tools },
      'Expected toolResult blocks at messages.2.content for the following Ids: tooluse_bbb',
    );
  });

  it('rejects toolUse / toolResult history without a toolConfig', async () => {
    await expectValidationError(
      { messages: twoToolCalls(user(toolResult('tooluse_aaa'), toolResult('tooluse_bbb'))) },
      'The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    );
  });

  it('accepts a user turn that answers every toolUse (in any order)', async () => {
    await expectAccepted({
      messages: twoToolCalls(user(toolResult('tooluse_bbb'), toolResult('tooluse_aaa'))),
      toolConfig: tools,
    });
  });
});

describe('json documents', () => {
  it('rejects a toolUse input that is an array', async () => {
    await expectValidationError(
      {
        messages: [user(text('Weather?')), assistant(toolUse('tooluse_aaa', ['Paris'])), user(toolResult('tooluse_aaa'))],
        toolConfig: tools,
      },
      'The format of the value at messages.1.content.0.toolUse.input is invalid. Provide a json object for the field and try again.',
    );
  });

  it.each([
    ['an array', [{ tempC: 18 }]],
    ['a number', 18],
  ])('rejects a toolResult json that is %s', async (_case, json) => {
    await expectValidationError(
      {
        messages: [user(text('Weather?')), assistant(toolUse('tooluse_aaa')), user(toolResult('tooluse_aaa', [{ json }]))],
        toolConfig: tools,
      },
      'The format of the value at messages.2.content.0.toolResult.content.0.json is invalid. Provide a json object for the field and try again.',
    );
  });

  it('names the exact part of a toolResult holding the bad json', async () => {
    await expectValidationError(
      {
        messages: [
          user(text('Weather?')),
          assistant(toolUse('tooluse_aaa')),
          user(text('Here you go.'), toolResult('tooluse_aaa', [{ text: 'sunny' }, { json: [1, 2] }])),
        ],
        toolConfig: tools,
      },
      'The format of the value at messages.2.content.1.toolResult.content.1.json is invalid. Provide a json object for the field and try again.',
    );
  });
});

describe('toolConfig', () => {
  const longName = 'a'.repeat(65);

  it('rejects a tool name with a dot (coral form, 1-based member path)', async () => {
    await expectValidationError({ toolConfig: { tools: [toolSpec('x.y')] } }, coral(badToolName('x.y', 1, PATTERN)));
  });

  it('rejects a tool name of 65 characters', async () => {
    await expectValidationError({ toolConfig: { tools: [toolSpec(longName)] } }, coral(badToolName(longName, 1, MAX_LENGTH_64)));
  });

  it('accepts a tool name of exactly 64 characters using every allowed character class', async () => {
    const name = `Az09_-${'b'.repeat(58)}`;
    expect(name).toHaveLength(64);
    await expectAccepted({ toolConfig: { tools: [toolSpec(name)] } });
  });

  it('reports every bad tool at once: "2 validation errors detected: …; …"', async () => {
    await expectValidationError(
      { toolConfig: { tools: [weatherTool, toolSpec('x.y'), toolSpec(longName)] } },
      coral(badToolName('x.y', 2, PATTERN), badToolName(longName, 3, MAX_LENGTH_64)),
    );
  });

  it.each([0, 1])('rejects an inputSchema whose root type is array (tool %i, 0-based path)', async (index) => {
    const listTool = toolSpec('list_cities', { type: 'array', items: { type: 'string' } });
    const list = index === 0 ? [listTool, weatherTool] : [weatherTool, listTool];
    await expectValidationError(
      { toolConfig: { tools: list } },
      `The value at toolConfig.tools.${index}.toolSpec.inputSchema.json.type must be one of the following: object.`,
    );
  });
});

describe('inferenceConfig', () => {
  it("rejects maxTokens above Nova Pro's limit of 10000", async () => {
    await expectValidationError(
      { inferenceConfig: { maxTokens: 10_001 } },
      'The maximum tokens you requested exceeds the model limit of 10000. Try again with a maximum tokens value that is lower than 10000.',
    );
  });

  it('accepts maxTokens 10000 on Nova Pro', async () => {
    await expectAccepted({ inferenceConfig: { maxTokens: 10_000 } });
  });

  it('accepts maxTokens 25000 on Nova Premier', async () => {
    await expectAccepted({ modelId: 'us.amazon.nova-premier-v1:0', inferenceConfig: { maxTokens: 25_000 } });
  });

  it('rejects maxTokens 25001 on Nova Premier', async () => {
    await expectValidationError(
      { modelId: 'us.amazon.nova-premier-v1:0', inferenceConfig: { maxTokens: 25_001 } },
      'The maximum tokens you requested exceeds the model limit of 25000. Try again with a maximum tokens value that is lower than 25000.',
    );
  });

  it('rejects temperature 1.5 (coral form)', async () => {
    await expectValidationError(
      { inferenceConfig: { temperature: 1.5 } },
      "1 validation error detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1",
    );
  });
});

describe('model identifiers', () => {
  it.each(['amazon.titan-text-express-v1', 'amazon.nova-pro-v1', 'eu.amazon.nova-premier-v1:0'])(
    'rejects %s as an invalid model identifier',
    async (modelId) => {
      await expectValidationError({ modelId }, 'The provided model identifier is invalid.');
    },
  );

  it.each([
    'amazon.nova-micro-v1:0',
    'amazon.nova-lite-v1:0',
    'amazon.nova-pro-v1:0',
    'us.amazon.nova-micro-v1:0',
    'eu.amazon.nova-micro-v1:0',
    'apac.amazon.nova-micro-v1:0',
    'us.amazon.nova-lite-v1:0',
    'eu.amazon.nova-lite-v1:0',
    'apac.amazon.nova-lite-v1:0',
    'us.amazon.nova-pro-v1:0',
    'eu.amazon.nova-pro-v1:0',
    'apac.amazon.nova-pro-v1:0',
    'us.amazon.nova-premier-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0',
    'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0',
  ])('accepts %s', async (modelId) => {
    await expectAccepted({ modelId });
  });

  it('rejects on-demand invocation of bare Nova Premier', async () => {
    await expectValidationError(
      { modelId: 'amazon.nova-premier-v1:0' },
      "Invocation of model ID amazon.nova-premier-v1:0 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
    );
  });
});

describe('context window', () => {
  // bedrock-local counts ceil(chars / 4) tokens per text: 600,000 chars = 150,000 tokens.
  const huge = 'lorem ipsum '.repeat(50_000);

  it("rejects input longer than Nova Micro's 128K context window", async () => {
    expect(huge).toHaveLength(600_000);
    await expectValidationError(
      { modelId: 'amazon.nova-micro-v1:0', messages: [user(text(huge))] },
      'Input is too long for requested model.',
    );
  });

  it('accepts the same input on Nova Lite (300K context window)', async () => {
    await expectAccepted({ modelId: 'amazon.nova-lite-v1:0', messages: [user(text(huge))] });
  });
});

describe('a valid multi-turn tool conversation', () => {
  it('is accepted: user → assistant text + 2 toolUse → user with both results → assistant → user', async () => {
    const server = await start();
    const client = sdkClient(server);
    try {
      const output = await client.send(
        new ConverseCommand({
          modelId: NOVA_PRO,
          system: [{ text: 'You are a weather assistant.' }],
          inferenceConfig: { maxTokens: 3000, temperature: 0, topP: 1 },
          toolConfig: { tools: [weatherTool], toolChoice: { auto: {} } },
          messages: [
            user(text('Weather in Paris and Atlantis?')),
            assistant(
              text('<thinking>I need two lookups.</thinking>'),
              toolUse('tooluse_aaa', { city: 'Paris' }),
              toolUse('tooluse_bbb', { city: 'Atlantis' }),
            ),
            user(
              toolResult('tooluse_aaa', [{ json: { tempC: 18, sky: 'clear' } }, { text: 'Observed 5 minutes ago.' }], 'success'),
              toolResult('tooluse_bbb', [{ text: 'Unknown city: Atlantis' }], 'error'),
            ),
            assistant(text('Paris is 18°C and clear; I could not find Atlantis.')),
            user(text('Thanks! And tomorrow?')),
          ],
        }),
      );
      expect(output.$metadata.httpStatusCode).toBe(200);
      expect(output.stopReason).toBe('end_turn');
      expect(output.output?.message?.role).toBe('assistant');
    } finally {
      client.destroy();
    }
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ status: 200, route: 'converse' });
    expect(server.requests[0]?.errorType).toBeUndefined();
  });
});

describe('ConverseStream', () => {
  it('applies the same validation before streaming, rejecting send() with a ValidationException', async () => {
    const server = await start();
    const client = sdkClient(server);
    try {
      await expect(
        client.send(new ConverseStreamCommand({ modelId: NOVA_PRO, messages: [assistant(text('I speak first.'))] })),
      ).rejects.toSatisfy(
        (error: unknown) =>
          error instanceof ValidationException &&
          error.$metadata.httpStatusCode === 400 &&
          error.message === 'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
      );
    } finally {
      client.destroy();
    }
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ status: 400, errorType: 'ValidationException', route: 'converse-stream' });
  });
});

describe('error wire format (HTTP/1.1)', () => {
  it.each([
    [
      'first message not user',
      { messages: [{ role: 'assistant', content: [{ text: 'Hi' }] }] },
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    ],
    [
      'tool name with a dot',
      { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], toolConfig: { tools: [toolSpec('x.y')] } },
      coral(badToolName('x.y', 1, PATTERN)),
    ],
  ])('answers a validation error (%s) with the coral error type header and a {"message"} body', async (_case, body, message) => {
    const server = await start();
    const res = await postConverse(server, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe(`ValidationException:${ERROR_NAMESPACE}`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(await res.json()).toEqual({ message });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ status: 400, errorType: 'ValidationException', protocol: 'http/1.1' });
  });

  it('answers an invalid model identifier over HTTP the same way', async () => {
    const server = await start();
    const res = await postConverse(server, { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }, { modelId: 'amazon.nova-pro-v1' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe(`ValidationException:${ERROR_NAMESPACE}`);
    expect(await res.json()).toEqual({ message: 'The provided model identifier is invalid.' });
    expect(server.requests[0]).toMatchObject({ status: 400, errorType: 'ValidationException', modelId: 'amazon.nova-pro-v1' });
  });

  it('answers a malformed JSON body with 400 SerializationException', async () => {
    const server = await start();
    const res = await postConverse(server, '{"messages": [');
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^SerializationException/);
    expect(await res.json()).toHaveProperty('message');
    expect(server.requests[0]).toMatchObject({ status: 400, errorType: 'SerializationException' });
  });

  it('answers an unknown route with 404', async () => {
    const server = await start();
    const res = await fetch(`${server.endpoint}/model/amazon.nova-pro-v1:0/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer local-api-key' },
      body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }),
    });
    expect(res.status).toBe(404);
    await res.arrayBuffer();
    expect(server.requests[0]).toMatchObject({ status: 404, route: 'unknown' });
  });
});

describe('authentication (HTTP/1.1)', () => {
  const body = { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] };

  it('answers a request without an Authorization header with 403 MissingAuthenticationTokenException', async () => {
    const server = await start();
    const res = await postConverse(server, body, { auth: null });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException/);
    await res.arrayBuffer();
    expect(server.requests[0]).toMatchObject({ status: 403, errorType: 'MissingAuthenticationTokenException' });
  });

  it('answers an unsupported Authorization scheme with 403', async () => {
    const server = await start();
    const res = await postConverse(server, body, { auth: 'Basic abc' });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBeTruthy();
    await res.arrayBuffer();
  });

  it.each([
    ['a Bedrock API key (Bearer)', 'Bearer ABSKbG9jYWwta2V5'],
    [
      'a SigV4 signature',
      'AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef',
    ],
  ])('accepts %s', async (_case, auth) => {
    const server = await start();
    const res = await postConverse(server, body, { auth });
    expect(res.status).toBe(200);
    const output = (await res.json()) as { output: { message: { role: string } } };
    expect(output.output.message.role).toBe('assistant');
  });
});

describe('malformed shapes never crash the server', () => {
  const start = useLocalBedrock();

  it.each([
    [{ system: 'be nice', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, "at 'system'"],
    [{ messages: [{ role: 'user', content: 'hi' }] }, "at 'messages.1.member.content'"],
    [{ messages: [null] }, "at 'messages.1.member.role'"],
    [{ messages: 'hi' }, "at 'messages'"],
  ])('answers %j with a 400 ValidationException naming the field', async (body, where) => {
    const server = await start();
    const response = await postConverse(server, body);
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^ValidationException:/);
    const { message } = (await response.json()) as { message: string };
    expect(message).toMatch(/^1 validation error detected: /);
    expect(message).toContain(where);
  });
});
