// The baseline novaloop is measured against: the Converse tool loop a team writes by hand when it
// calls Nova directly (the "Direct Nova Pro" example, in TypeScript), with nothing of novaloop in
// it. It sends the same system prompt, tool specs and inference settings as novaloop's defaults, so
// what differs between the two is the framework. The streaming form is here only to explain
// novaloop's streaming figures: it pays the same event-stream decoding.
import {
  ConverseCommand,
  ConverseStreamCommand,
  type BedrockRuntimeClient,
  type ContentBlock,
  type ConverseRequest,
  type Message,
  type SystemContentBlock,
  type ToolResultContentBlock,
} from '@aws-sdk/client-bedrock-runtime';
import { getServiceStatus, GET_SERVICE_STATUS, MODEL, queryDatabase, QUERY_DATABASE, TOOL_SPECS } from './workload.js';

const TOOLS: Record<string, (input: Record<string, string>) => ToolResultContentBlock[]> = {
  [QUERY_DATABASE.name]: () => [{ json: queryDatabase() }],
  [GET_SERVICE_STATUS.name]: (input) => [{ json: getServiceStatus(input.service_name ?? '') }],
};

export interface RawLoopOptions {
  system: SystemContentBlock[];
  maxSteps: number;
  stream: boolean;
}

export interface RawAnswer {
  text: string;
  modelCalls: number;
}

export async function rawToolLoop(client: BedrockRuntimeClient, question: string, options: RawLoopOptions): Promise<RawAnswer> {
  const messages: Message[] = [{ role: 'user', content: [{ text: question }] }];
  for (let call = 1; call <= options.maxSteps; call++) {
    const request: ConverseRequest = {
      modelId: MODEL,
      system: options.system,
      messages,
      toolConfig: { tools: TOOL_SPECS },
      // AWS's advice for Nova tool calling: greedy decoding (topK has no Converse field).
      inferenceConfig: { temperature: 0 },
      additionalModelRequestFields: { inferenceConfig: { topK: 1 } },
    };
    const { message, stopReason } = options.stream ? await converseStream(client, request) : await converse(client, request);
    messages.push(message);
    if (stopReason !== 'tool_use') {
      const text = (message.content ?? []).map((block) => block.text ?? '').join('');
      return { text, modelCalls: call };
    }
    const results: ContentBlock[] = [];
    for (const block of message.content ?? []) {
      if (!block.toolUse) continue;
      const { toolUseId, name, input } = block.toolUse;
      const run = TOOLS[name ?? ''];
      results.push({
        toolResult: run
          ? { toolUseId, content: run((input ?? {}) as Record<string, string>) }
          : { toolUseId, content: [{ text: `Unknown tool ${name}` }], status: 'error' },
      });
    }
    messages.push({ role: 'user', content: results });
  }
  throw new Error(`No answer within ${options.maxSteps} model calls.`);
}

interface Turn {
  message: Message;
  stopReason: string | undefined;
}

async function converse(client: BedrockRuntimeClient, request: ConverseRequest): Promise<Turn> {
  const response = await client.send(new ConverseCommand(request));
  return { message: response.output?.message ?? { role: 'assistant', content: [] }, stopReason: response.stopReason };
}

async function converseStream(client: BedrockRuntimeClient, request: ConverseRequest): Promise<Turn> {
  const response = await client.send(new ConverseStreamCommand(request));
  const content: ContentBlock[] = [];
  let text = '';
  let toolUse: { toolUseId: string | undefined; name: string | undefined; json: string } | undefined;
  let stopReason: string | undefined;
  for await (const event of response.stream ?? []) {
    if (event.contentBlockStart?.start?.toolUse) {
      const { toolUseId, name } = event.contentBlockStart.start.toolUse;
      toolUse = { toolUseId, name, json: '' };
    } else if (event.contentBlockDelta?.delta?.text !== undefined) {
      text += event.contentBlockDelta.delta.text;
    } else if (event.contentBlockDelta?.delta?.toolUse && toolUse) {
      toolUse.json += event.contentBlockDelta.delta.toolUse.input ?? '';
    } else if (event.contentBlockStop) {
      if (toolUse) content.push({ toolUse: { toolUseId: toolUse.toolUseId, name: toolUse.name, input: JSON.parse(toolUse.json || '{}') } });
      // Bedrock rejects a blank text block in the history, and the stream opens with an empty delta.
      else if (text.trim()) content.push({ text });
      toolUse = undefined;
      text = '';
    } else if (event.messageStop) {
      stopReason = event.messageStop.stopReason;
    }
  }
  return { message: { role: 'assistant', content }, stopReason };
}
