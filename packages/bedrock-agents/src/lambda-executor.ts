import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { JsonValue, ToolContext } from '@novaloop/core';
import type { ApiAction } from './openapi-actions.js';
import type { FunctionAction } from './function-actions.js';
import type { TurnState } from './turn-state.js';

/** The agent as the Lambda event's `agent` field names it. */
export interface EventAgent {
  name: string;
  id: string;
  alias: string;
  version: string;
}

/** `{ name, type, value }`, values as strings: how Agents hands parameters to a Lambda. */
export interface EventParameter {
  name: string;
  type: string;
  value: string;
}

/** Why the Lambda's answer is not a result: the model gets this as an error it can act on. */
export class ActionFailure extends Error {
  override name = 'ActionFailure';
}

type Lambda = Pick<LambdaClient, 'send'>;

/**
 * Runs one action through its action group's Lambda: sends the Agents input event, reads the Agents
 * response. Session attributes the Lambda returns replace the session's; its prompt session
 * attributes last for the rest of the turn. A Lambda error, a timeout, a malformed response, a
 * FAILURE or REPROMPT response state or an HTTP error status throws an `ActionFailure` whose message
 * (the Lambda's request id included) the model reads as the tool's error.
 */
export async function invokeAction(
  lambda: Lambda,
  functionArn: string,
  agent: EventAgent,
  action: FunctionAction | ApiAction,
  input: Record<string, unknown>,
  ctx: ToolContext,
  turn: TurnState,
): Promise<unknown> {
  const event = inputEvent(agent, action, input, ctx, turn);
  const label = `action group ${action.actionGroup}'s Lambda ${functionArn}`;
  let response;
  try {
    response = await lambda.send(new InvokeCommand({ FunctionName: functionArn, Payload: JSON.stringify(event) }), {
      abortSignal: ctx.signal,
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const name = (error as { name?: string }).name ?? 'Error';
    const requestId = (error as { $metadata?: { requestId?: string } }).$metadata?.requestId;
    throw new ActionFailure(
      `Calling ${label} failed (${name}: ${(error as Error).message}${requestId ? `; Lambda request id ${requestId}` : ''}). The action did not run.`,
    );
  }
  const requestId = response.$metadata.requestId ?? 'unknown';
  const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
  if (response.FunctionError) {
    const detail = lambdaError(text);
    throw new ActionFailure(
      `${label} failed (${response.FunctionError}: ${detail}; Lambda request id ${requestId}). The action did not complete.`,
    );
  }
  const malformed = (why: string): never => {
    throw new ActionFailure(
      `${label} answered in a format Bedrock Agents does not accept (${why}; Lambda request id ${requestId}). The action's outcome is unknown.`,
    );
  };
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    malformed(`its payload is not JSON: ${JSON.stringify(text.slice(0, 120))}`);
  }
  if (!isRecord(payload) || !isRecord(payload.response)) return malformed('no "response" object');
  const answer = payload.response;
  let body: unknown;
  let state: unknown;
  let status: unknown;
  if (action.kind === 'function') {
    const fn = answer.functionResponse;
    if (!isRecord(fn) || !isRecord(fn.responseBody)) return malformed('no response.functionResponse.responseBody');
    const content = fn.responseBody.TEXT;
    if (!isRecord(content) || content.body === undefined) return malformed('no response.functionResponse.responseBody.TEXT.body');
    body = content.body;
    state = fn.responseState;
  } else {
    if (!isRecord(answer.responseBody)) return malformed('no response.responseBody');
    const content = answer.responseBody['application/json'] ?? Object.values(answer.responseBody)[0];
    if (!isRecord(content) || content.body === undefined) return malformed("no response.responseBody['application/json'].body");
    body = content.body;
    state = answer.responseState;
    status = answer.httpStatusCode;
  }
  if (state !== undefined && state !== 'FAILURE' && state !== 'REPROMPT') {
    return malformed(`responseState ${JSON.stringify(state)} (Agents allows FAILURE or REPROMPT)`);
  }
  // Session attributes first: a failing action may still have changed them, as under Agents.
  if (payload.sessionAttributes !== undefined) {
    if (!isRecord(payload.sessionAttributes)) return malformed('sessionAttributes is not an object');
    replaceSessionAttributes(ctx, payload.sessionAttributes);
  }
  if (payload.promptSessionAttributes !== undefined) {
    if (!isRecord(payload.promptSessionAttributes)) return malformed('promptSessionAttributes is not an object');
    turn.promptSessionAttributes = stringMap(payload.promptSessionAttributes);
  }
  const bodyText = typeof body === 'string' ? body : JSON.stringify(body);
  if (state === 'FAILURE') {
    throw new ActionFailure(
      `${label} reported a FAILURE: ${bodyText} (Lambda request id ${requestId}). The action failed; do not retry it.`,
    );
  }
  if (state === 'REPROMPT') {
    throw new ActionFailure(`${label} asks to try again: ${bodyText}`);
  }
  if (typeof status === 'number' && status >= 400) {
    throw new ActionFailure(`${label} answered HTTP ${status}: ${bodyText} (Lambda request id ${requestId}).`);
  }
  if (action.kind === 'api' && typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (isRecord(parsed)) return parsed;
    } catch {
      // A text body is passed on as text.
    }
  }
  return body === '' ? '(the action returned an empty body)' : body;
}

function inputEvent(
  agent: EventAgent,
  action: FunctionAction | ApiAction,
  input: Record<string, unknown>,
  ctx: ToolContext,
  turn: TurnState,
) {
  const common = {
    messageVersion: '1.0',
    agent,
    inputText: turn.inputText,
    sessionId: ctx.sessionId,
    actionGroup: action.actionGroup,
  };
  const session = { sessionAttributes: stringMap(ctx.session.attributes), promptSessionAttributes: { ...turn.promptSessionAttributes } };
  if (action.kind === 'function')
    return { ...common, function: action.function, parameters: functionParameters(action, input), ...session };
  const { parameters, requestBody } = apiParameters(action, input);
  return {
    ...common,
    apiPath: action.apiPath,
    httpMethod: action.httpMethod,
    parameters,
    ...(requestBody ? { requestBody } : {}),
    ...session,
  };
}

/** A function call's input as Agents lists it: `[{ name, type, value }]`, values as strings. */
export function functionParameters(action: FunctionAction, input: Record<string, unknown>): EventParameter[] {
  return Object.entries(input)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ({ name, type: action.parameterTypes[name] ?? jsonType(value), value: asString(value) }));
}

/** An API call's input as Agents lists it: path, query and header parameters, and the body's properties by content type. */
export function apiParameters(
  action: ApiAction,
  input: Record<string, unknown>,
): { parameters: EventParameter[]; requestBody: { content: Record<string, { properties: EventParameter[] }> } | undefined } {
  const parameters: EventParameter[] = [];
  for (const { name, type } of action.parameters) {
    if (input[name] !== undefined) parameters.push({ name, type, value: asString(input[name]) });
  }
  const body = action.body ? input[action.body.property] : undefined;
  if (!action.body || !isRecord(body)) return { parameters, requestBody: undefined };
  const types = action.body.types;
  const properties = Object.entries(body)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ({ name, type: types[name] ?? jsonType(value), value: asString(value) }));
  return { parameters, requestBody: { content: { [action.body.contentType]: { properties } } } };
}

/** Agents' response replaces the session attributes: keys it leaves out are removed. */
function replaceSessionAttributes(ctx: ToolContext, next: Record<string, unknown>): void {
  for (const key of Object.keys(ctx.session.attributes)) if (!(key in next)) ctx.session.set(key, undefined);
  for (const [key, value] of Object.entries(next)) ctx.session.set(key, value as JsonValue);
}

export function stringMap(values: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) out[key] = asString(value);
  return out;
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function lambdaError(text: string): string {
  try {
    const error = JSON.parse(text) as { errorType?: string; errorMessage?: string };
    if (error.errorMessage) return `${error.errorType ?? 'Error'}: ${error.errorMessage}`;
  } catch {
    // Not Lambda's error JSON: shown as it is.
  }
  return text.slice(0, 300) || 'no error payload';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
