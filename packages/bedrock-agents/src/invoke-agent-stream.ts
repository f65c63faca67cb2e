import type { Agent, PendingCall, PendingState, ResumeAnswer, RunOptions, RunResult, TracePart } from '@novaloop/core';
import { BedrockAgentsError } from './errors.js';
import { internals, MigratedAgent, type MigratedInternals } from './from-bedrock-agent.js';
import { apiParameters, functionParameters, stringMap, type EventParameter } from './lambda-executor.js';

/** A trace part as InvokeAgent sends it: novaloop's part with the agent's identity. */
export type InvokeAgentTracePart = TracePart & { agentId: string; agentAliasId: string; agentVersion: string };

export interface FunctionInvocationInput {
  actionGroup: string;
  function: string;
  parameters: EventParameter[];
  actionInvocationType: 'RESULT' | 'USER_CONFIRMATION';
  agentId: string;
}

export interface ApiInvocationInput {
  actionGroup: string;
  apiPath: string;
  httpMethod: string;
  parameters: EventParameter[];
  requestBody?: { content: Record<string, { properties: EventParameter[] }> };
  actionInvocationType: 'RESULT' | 'USER_CONFIRMATION';
  agentId: string;
}

/** InvokeAgent's `returnControl` event: the calls the application must run (or confirm). */
export interface ReturnControlPayload {
  invocationId: string;
  invocationInputs: ({ functionInvocationInput: FunctionInvocationInput } | { apiInvocationInput: ApiInvocationInput })[];
}

/**
 * One event of the stream, in the shape of InvokeAgent's `completion` events (`ResponseStream`):
 * exactly one member is set, so `if (event.chunk)` works as with the SDK's union.
 */
export type InvokeAgentEvent =
  | { chunk: { bytes: Uint8Array }; trace?: never; returnControl?: never }
  | { trace: InvokeAgentTracePart; chunk?: never; returnControl?: never }
  | { returnControl: ReturnControlPayload; chunk?: never; trace?: never };

interface ContentBody {
  body?: string | undefined;
}

/** A result for a returned call, as InvokeAgent's `sessionState.returnControlInvocationResults` holds it. */
export interface ReturnControlInvocationResult {
  functionResult?:
    | {
        actionGroup: string | undefined;
        function?: string | undefined;
        responseBody?: Record<string, ContentBody> | undefined;
        responseState?: string | undefined;
        confirmationState?: string | undefined;
      }
    | undefined;
  apiResult?:
    | {
        actionGroup: string | undefined;
        apiPath?: string | undefined;
        httpMethod?: string | undefined;
        httpStatusCode?: number | undefined;
        responseBody?: Record<string, ContentBody> | undefined;
        responseState?: string | undefined;
        confirmationState?: string | undefined;
      }
    | undefined;
}

/** InvokeAgent's `sessionState`, as far as novaloop carries it. */
export interface InvokeAgentSessionState {
  /** Merged into the session's attributes. */
  sessionAttributes?: Record<string, string> | undefined;
  /** For this turn only: given to every Lambda the turn invokes. */
  promptSessionAttributes?: Record<string, string> | undefined;
  /** The `returnControl` event's invocationId, with the results below. */
  invocationId?: string | undefined;
  returnControlInvocationResults?: ReturnControlInvocationResult[] | undefined;
  /** Not supported: refused with INVOKE_AGENT_INPUT when not empty. */
  files?: readonly unknown[] | undefined;
  knowledgeBaseConfigurations?: readonly unknown[] | undefined;
  conversationHistory?: unknown;
}

export interface InvokeAgentStreamOptions {
  /** The user's text; not needed when `sessionState` answers a `returnControl`. */
  inputText?: string | undefined;
  sessionId: string;
  /** Yield `trace` events (default false, as InvokeAgent). */
  enableTrace?: boolean | undefined;
  sessionState?: InvokeAgentSessionState | undefined;
  /** Cancels the run. */
  signal?: AbortSignal | undefined;
}

// What a plain novaloop Agent (not migrated) reports as its identity and action group.
const PLAIN = { agentId: 'NOVALOOP00', agentAliasId: 'TSTALIASID', agentVersion: 'DRAFT', actionGroup: 'novaloop' };

/**
 * Runs the agent and yields InvokeAgent's `completion` events: `trace` parts (with `enableTrace`),
 * then the answer as one `chunk`, or a `returnControl` when the run pauses for the application.
 * Answering that pause is another call with `sessionState.invocationId` and
 * `returnControlInvocationResults`, as with InvokeAgent. Code written against InvokeAgent switches
 * by changing the call.
 */
export async function* invokeAgentStream(agent: Agent, options: InvokeAgentStreamOptions): AsyncGenerator<InvokeAgentEvent, void> {
  const { sessionId, sessionState = {} } = checkOptions(options);
  const inner = internals.get(agent);
  const identity =
    agent instanceof MigratedAgent
      ? { agentId: agent.source.agentId, agentAliasId: agent.source.agentAliasId ?? 'TSTALIASID', agentVersion: agent.source.agentVersion }
      : PLAIN;
  const results = sessionState.returnControlInvocationResults;
  const resuming = results !== undefined && results.length > 0;
  const signal = options.signal ? { signal: options.signal } : {};
  let answers: ResumeAnswer[] = [];
  if (resuming) {
    const stored = await agent.memory.load(sessionId);
    answers = answersFor(sessionId, stored?.pending, sessionState.invocationId, results, inner);
    checkResumeAttributes(sessionId, sessionState.sessionAttributes, stored?.attributes ?? {});
  }
  const withdraw =
    inner && sessionState.promptSessionAttributes ? inner.turns.preset(sessionId, sessionState.promptSessionAttributes) : undefined;
  try {
    let result: RunResult;
    if (options.enableTrace === true) {
      const events = resuming
        ? agent.streamResume(sessionId, answers, signal)
        : agent.stream(options.inputText as string, runOptions(sessionId, sessionState, signal));
      let done = false;
      try {
        for (;;) {
          const next = await events.next();
          if (next.done) {
            done = true;
            result = next.value;
            break;
          }
          if (next.value.type === 'trace') yield { trace: agentsPart(next.value.part, identity, inner) };
        }
      } finally {
        // A consumer that stops early cancels the run, as leaving a for-await would.
        if (!done) await events.return(undefined as never);
      }
    } else {
      // Without trace, the run is drained without building trace parts nobody reads.
      result = resuming
        ? await agent.resume(sessionId, answers, signal)
        : await agent.run(options.inputText as string, runOptions(sessionId, sessionState, signal));
    }
    if (result.stopReason === 'return_control' || result.stopReason === 'needs_approval') {
      yield { returnControl: returnControl(result.stopReason, result.pending, identity.agentId, inner) };
    } else if (result.text !== '') {
      yield { chunk: { bytes: new TextEncoder().encode(result.text) } };
    }
  } finally {
    withdraw?.();
  }
}

/**
 * A resume cannot change session attributes (core's resume takes none). Attributes sent again as
 * they are stored, as InvokeAgent clients often do, are fine; a change is refused, not dropped.
 */
function checkResumeAttributes(
  sessionId: string,
  given: Record<string, string> | undefined,
  stored: Readonly<Record<string, unknown>>,
): void {
  const current = stringMap(stored);
  const changed = Object.entries(given ?? {})
    .filter(([key, value]) => current[key] !== value)
    .map(([key]) => key);
  if (changed.length > 0) {
    throw new BedrockAgentsError(
      'INVOKE_AGENT_INPUT',
      `Session ${sessionId}: sessionState.sessionAttributes changes ${changed.join(', ')} while answering a returnControl, which novaloop cannot apply. ` +
        'Send the change with the next inputText instead. Nothing was run or stored.',
    );
  }
}

function runOptions(sessionId: string, sessionState: InvokeAgentSessionState, signal: { signal?: AbortSignal }): RunOptions {
  return {
    sessionId,
    ...(sessionState.sessionAttributes ? { sessionAttributes: { ...sessionState.sessionAttributes } } : {}),
    ...signal,
  };
}

function checkOptions(options: InvokeAgentStreamOptions): InvokeAgentStreamOptions {
  const refuse = (message: string): never => {
    throw new BedrockAgentsError('INVOKE_AGENT_INPUT', `${message} Nothing was run or stored.`);
  };
  if (typeof options !== 'object' || options === null) return refuse('invokeAgentStream(agent, options) needs { sessionId, inputText }.');
  if (typeof options.sessionId !== 'string' || !/^[0-9a-zA-Z._:-]{2,100}$/.test(options.sessionId)) {
    refuse(
      `sessionId ${JSON.stringify(options.sessionId)} is not an InvokeAgent session id (2 to 100 letters, digits, '.', '_', ':' and '-').`,
    );
  }
  const state = options.sessionState ?? {};
  const resuming = (state.returnControlInvocationResults?.length ?? 0) > 0;
  if (!resuming && (typeof options.inputText !== 'string' || options.inputText.trim() === '')) {
    refuse('inputText is required (it may be left out only when sessionState.returnControlInvocationResults answers a returnControl).');
  }
  for (const field of ['files', 'knowledgeBaseConfigurations'] as const) {
    if ((state[field]?.length ?? 0) > 0) refuse(`sessionState.${field} is not supported by novaloop; leave it out.`);
  }
  if (state.conversationHistory !== undefined) {
    refuse('sessionState.conversationHistory is not supported: novaloop keeps the conversation in the session (agent.memory).');
  }
  return options;
}

/** Each returned result becomes the resume answer of the paused call it names (by action group and function, or API path and method). */
function answersFor(
  sessionId: string,
  pending: PendingState | undefined,
  invocationId: string | undefined,
  results: readonly ReturnControlInvocationResult[],
  inner: MigratedInternals | undefined,
): ResumeAnswer[] {
  const refuse = (message: string): never => {
    throw new BedrockAgentsError('INVOKE_AGENT_INPUT', `Session ${sessionId}: ${message} Nothing was run or stored.`);
  };
  if (!pending) return refuse('there is no returnControl to answer (the session is not paused, or it was answered already).');
  if (invocationId !== undefined && invocationId !== pending.invocationId) {
    refuse(`sessionState.invocationId ${invocationId} is not the paused invocation (${pending.invocationId}).`);
  }
  const open = [...pending.calls];
  return results.map((entry, i) => {
    const result = entry.functionResult ?? entry.apiResult;
    if (!result) return refuse(`returnControlInvocationResults[${i}] has neither functionResult nor apiResult.`);
    const index = open.findIndex((call) => matches(call, entry, inner));
    const call = open.splice(index, 1)[0];
    if (index < 0 || !call) {
      const names = entry.functionResult
        ? `${result.actionGroup}/${entry.functionResult.function}`
        : `${result.actionGroup} ${entry.apiResult?.httpMethod} ${entry.apiResult?.apiPath}`;
      return refuse(`returnControlInvocationResults[${i}] (${names}) answers no paused call still open.`);
    }
    const body = Object.values(result.responseBody ?? {})[0]?.body ?? '';
    if (call.kind === 'approval') {
      if (result.confirmationState === 'CONFIRM') return { toolUseId: call.toolUseId, approve: true };
      if (result.confirmationState === 'DENY') return { toolUseId: call.toolUseId, approve: false, ...(body ? { reason: body } : {}) };
      return refuse(`returnControlInvocationResults[${i}] answers a USER_CONFIRMATION: set confirmationState to CONFIRM or DENY.`);
    }
    const failed =
      result.responseState === 'FAILURE' || result.responseState === 'REPROMPT' || (entry.apiResult?.httpStatusCode ?? 0) >= 400;
    if (failed) return { toolUseId: call.toolUseId, error: body || `The application reported ${result.responseState ?? 'an error'}.` };
    return { toolUseId: call.toolUseId, result: body };
  });
}

function matches(call: PendingCall, entry: ReturnControlInvocationResult, inner: MigratedInternals | undefined): boolean {
  const migrated = inner?.actionsByTool.get(call.name)?.migrated;
  if (entry.functionResult) {
    const { actionGroup, function: fn } = entry.functionResult;
    if (!migrated) return fn === call.name && (actionGroup === undefined || actionGroup === PLAIN.actionGroup);
    return 'function' in migrated && migrated.actionGroup === actionGroup && migrated.function === fn;
  }
  const api = entry.apiResult;
  return (
    migrated !== undefined &&
    'apiPath' in migrated &&
    migrated.actionGroup === api?.actionGroup &&
    migrated.apiPath === api.apiPath &&
    migrated.httpMethod === api.httpMethod?.toUpperCase()
  );
}

/** The pause as InvokeAgent's returnControl: each waiting call as the function or API operation it maps to. */
function returnControl(
  stopReason: 'return_control' | 'needs_approval',
  calls: readonly PendingCall[],
  agentId: string,
  inner: MigratedInternals | undefined,
): ReturnControlPayload {
  const actionInvocationType = stopReason === 'needs_approval' ? 'USER_CONFIRMATION' : 'RESULT';
  return {
    // Every call of one pause has the pause's invocationId.
    invocationId: calls[0]?.invocationId ?? '',
    invocationInputs: calls.map((call) => {
      const input = (typeof call.input === 'object' && call.input !== null ? call.input : {}) as Record<string, unknown>;
      const known = inner?.actionsByTool.get(call.name);
      if (known?.action.kind === 'api') {
        const { parameters, requestBody } = apiParameters(known.action, input);
        return {
          apiInvocationInput: {
            actionGroup: known.action.actionGroup,
            apiPath: known.action.apiPath,
            httpMethod: known.action.httpMethod,
            parameters,
            ...(requestBody ? { requestBody } : {}),
            actionInvocationType,
            agentId,
          },
        };
      }
      const parameters =
        known?.action.kind === 'function'
          ? functionParameters(known.action, input)
          : functionParameters({ parameterTypes: {} } as Parameters<typeof functionParameters>[0], input);
      return {
        functionInvocationInput: {
          actionGroup: known?.action.actionGroup ?? PLAIN.actionGroup,
          function: known?.action.kind === 'function' ? known.action.function : call.name,
          parameters,
          actionInvocationType,
          agentId,
        },
      };
    }),
  };
}

/** Adds the agent's identity, and to an action-group call the action group and the function or API operation it maps to. */
function agentsPart(
  part: TracePart,
  identity: { agentId: string; agentAliasId: string; agentVersion: string },
  inner: MigratedInternals | undefined,
): InvokeAgentTracePart {
  const withIdentity = { ...part, agentId: identity.agentId, agentAliasId: identity.agentAliasId, agentVersion: identity.agentVersion };
  if (!('orchestrationTrace' in part.trace)) return withIdentity;
  const orchestration = part.trace.orchestrationTrace;
  if (!('invocationInput' in orchestration) || orchestration.invocationInput.invocationType !== 'ACTION_GROUP') return withIdentity;
  const invocation = orchestration.invocationInput;
  const known = inner?.actionsByTool.get(invocation.actionGroupInvocationInput.function)?.action;
  const given = invocation.actionGroupInvocationInput;
  const input = (typeof given.input === 'object' && given.input !== null ? given.input : {}) as Record<string, unknown>;
  // Parameters as the action group declares them, as Agents' trace shows them.
  const mapped = {
    ...given,
    actionGroupName: known?.actionGroup ?? PLAIN.actionGroup,
    ...(known?.kind === 'function' ? { function: known.function, parameters: functionParameters(known, input) } : {}),
    ...(known?.kind === 'api' ? { apiPath: known.apiPath, verb: known.httpMethod, ...apiParameters(known, input) } : {}),
  };
  return { ...withIdentity, trace: { orchestrationTrace: { invocationInput: { ...invocation, actionGroupInvocationInput: mapped } } } };
}
