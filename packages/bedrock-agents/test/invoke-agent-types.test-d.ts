// Type test (checked by the root `tsc` typecheck, not run by vitest): invokeAgentStream's events are
// InvokeAgent's `ResponseStream` events, and the SDK's `sessionState` is accepted as it is, so code
// written against InvokeAgent's completion stream takes invokeAgentStream unchanged.
import type { InvokeAgentCommandInput, ResponseStream, SessionState } from '@aws-sdk/client-bedrock-agent-runtime';
import type { Agent } from '@novaloop/core';
import { invokeAgentStream, type InvokeAgentEvent, type InvokeAgentSessionState } from '../src/index.js';

export const asResponseStream = (event: InvokeAgentEvent): ResponseStream => event;
export const acceptsSdkSessionState = (state: SessionState): InvokeAgentSessionState => state;

// Application code written for InvokeAgent's completion stream, unchanged.
async function readCompletion(completion: AsyncIterable<ResponseStream>): Promise<string> {
  let text = '';
  for await (const event of completion) {
    if (event.chunk?.bytes) text += new TextDecoder().decode(event.chunk.bytes);
    else if (event.trace?.trace) void event.trace.agentId;
    else if (event.returnControl) void event.returnControl.invocationInputs?.[0]?.functionInvocationInput?.function;
  }
  return text;
}

export async function switched(agent: Agent, input: InvokeAgentCommandInput): Promise<string> {
  return readCompletion(
    invokeAgentStream(agent, {
      inputText: input.inputText,
      sessionId: input.sessionId ?? 'session',
      enableTrace: input.enableTrace,
      sessionState: input.sessionState,
    }),
  );
}

// And the check can fail: an event with two members, or a chunk without bytes, is not an InvokeAgentEvent.
// @ts-expect-error a chunk's bytes are a Uint8Array
export const wrongChunk: InvokeAgentEvent = { chunk: { bytes: 'text' } };
// @ts-expect-error one member per event, as in ResponseStream
export const twoMembers: InvokeAgentEvent = {
  chunk: { bytes: new Uint8Array() },
  returnControl: { invocationId: 'x', invocationInputs: [] },
};
