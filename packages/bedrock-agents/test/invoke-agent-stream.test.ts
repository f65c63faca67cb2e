// invokeAgentStream: InvokeAgent's completion events (chunk, trace, returnControl) from a migrated
// agent on bedrock-local, and the sessionState that answers a returnControl.
import { Agent } from '@novaloop/core';
import { describe, expect, it } from 'vitest';
import { invokeAgentStream, type InvokeAgentEvent, type InvokeAgentStreamOptions } from '../src/index.js';
import { answer, callTool, credentials, OPS_AGENT, recordingHandlers, useLocal } from './helpers.js';

async function collect(stream: AsyncIterable<InvokeAgentEvent>): Promise<InvokeAgentEvent[]> {
  const events: InvokeAgentEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}
const text = (events: InvokeAgentEvent[]) =>
  events.map((event) => (event.chunk ? new TextDecoder().decode(event.chunk.bytes) : '')).join('');

describe('invokeAgentStream', () => {
  const local = useLocal();

  it('yields trace parts with the agent’s identity and the action group, then the answer as a chunk', async () => {
    const { lambdaFunctions } = recordingHandlers();
    const { migrate } = await local({
      agents: [OPS_AGENT],
      lambdaFunctions,
      script: { turns: [callTool('count_failed_tasks', { minutes: 60 }), answer('7 tasks failed.'), answer('Still 7.')] },
    });
    const agent = await migrate();
    const events = await collect(invokeAgentStream(agent, { inputText: 'How many failed?', sessionId: 'session-1', enableTrace: true }));
    expect(events.at(-1)).toEqual({ chunk: { bytes: new TextEncoder().encode('7 tasks failed.') } });
    const traces = events.flatMap((event) => (event.trace ? [event.trace] : []));
    expect(traces.length).toBeGreaterThan(5);
    for (const part of traces) {
      expect(part).toMatchObject({ agentId: 'OPSAGENT01', agentAliasId: 'TSTALIASID', agentVersion: 'DRAFT', sessionId: 'session-1' });
      expect(part.eventTime).toBeInstanceOf(Date);
    }
    const kinds = traces.map((part) => ('orchestrationTrace' in part.trace ? Object.keys(part.trace.orchestrationTrace)[0] : 'failure'));
    expect(kinds).toEqual(expect.arrayContaining(['modelInvocationInput', 'modelInvocationOutput', 'invocationInput', 'observation']));
    const invocation = traces.find((part) => 'orchestrationTrace' in part.trace && 'invocationInput' in part.trace.orchestrationTrace);
    expect(invocation?.trace).toMatchObject({
      orchestrationTrace: {
        invocationInput: {
          invocationType: 'ACTION_GROUP',
          actionGroupInvocationInput: {
            actionGroupName: 'ecs',
            function: 'count_failed_tasks',
            executionType: 'LAMBDA',
            parameters: [{ name: 'minutes', type: 'integer', value: '60' }],
          },
        },
      },
    });
    // Without enableTrace: the answer only, as InvokeAgent.
    const quiet = await collect(invokeAgentStream(agent, { inputText: 'And now?', sessionId: 'session-1' }));
    expect(quiet).toEqual([{ chunk: { bytes: new TextEncoder().encode('Still 7.') } }]);
  });

  it('yields returnControl for a RETURN_CONTROL action, and goes on with returnControlInvocationResults', async () => {
    const { migrate, server } = await local({
      agents: [OPS_AGENT],
      script: { turns: [callTool('page_oncall', { team: 'payments' }), answer('Paged the payments on-call.')] },
    });
    const agent = await migrate();
    const first = await collect(
      invokeAgentStream(agent, {
        inputText: 'Page payments',
        sessionId: 'rc-1',
        sessionState: { sessionAttributes: { team: 'payments' } },
      }),
    );
    expect(first).toEqual([
      {
        returnControl: {
          invocationId: expect.any(String),
          invocationInputs: [
            {
              functionInvocationInput: {
                actionGroup: 'paging',
                function: 'page_oncall',
                parameters: [{ name: 'team', type: 'string', value: 'payments' }],
                actionInvocationType: 'RESULT',
                agentId: 'OPSAGENT01',
              },
            },
          ],
        },
      },
    ]);
    const invocationId = first[0]?.returnControl?.invocationId;
    const second = await collect(
      invokeAgentStream(agent, {
        sessionId: 'rc-1',
        sessionState: {
          invocationId,
          // Sent again unchanged, as InvokeAgent clients do: accepted.
          sessionAttributes: { team: 'payments' },
          returnControlInvocationResults: [
            { functionResult: { actionGroup: 'paging', function: 'page_oncall', responseBody: { TEXT: { body: 'paged alice' } } } },
          ],
        },
      }),
    );
    expect(text(second)).toBe('Paged the payments on-call.');
    const lastBody = JSON.stringify(server.requests.at(-1)?.body);
    expect(lastBody).toContain('paged alice');
  });

  it('asks for USER_CONFIRMATION of a function that requires it; DENY tells the model, CONFIRM runs the Lambda', async () => {
    const { events, lambdaFunctions } = recordingHandlers();
    const { migrate } = await local({
      agents: [OPS_AGENT],
      lambdaFunctions,
      script: {
        turns: [
          callTool('restart_service', { service: 'payments-api' }),
          answer('Not restarted.'),
          callTool('restart_service', { service: 'payments-api' }),
          answer('Restarted.'),
        ],
      },
    });
    const agent = await migrate();
    const ask = async () =>
      (await collect(invokeAgentStream(agent, { inputText: 'Restart payments-api', sessionId: 'confirm-1' })))[0]?.returnControl;
    const confirm = (invocationId: string | undefined, confirmationState: 'CONFIRM' | 'DENY') =>
      collect(
        invokeAgentStream(agent, {
          sessionId: 'confirm-1',
          sessionState: {
            invocationId,
            returnControlInvocationResults: [{ functionResult: { actionGroup: 'ecs', function: 'restart-service', confirmationState } }],
          },
        }),
      );
    const first = await ask();
    expect(first?.invocationInputs[0]).toEqual({
      functionInvocationInput: expect.objectContaining({ function: 'restart-service', actionInvocationType: 'USER_CONFIRMATION' }),
    });
    expect(text(await confirm(first?.invocationId, 'DENY'))).toBe('Not restarted.');
    expect(events).toEqual([]);
    const second = await ask();
    expect(text(await confirm(second?.invocationId, 'CONFIRM'))).toBe('Restarted.');
    expect(events).toMatchObject([{ function: 'restart-service' }]);
  });

  it('gives the Lambdas the sessionState’s session and prompt session attributes', async () => {
    const { events, lambdaFunctions } = recordingHandlers();
    const { migrate } = await local({
      agents: [OPS_AGENT],
      lambdaFunctions,
      script: { turns: [callTool('count_failed_tasks', { minutes: 1 }), answer('ok')] },
    });
    const agent = await migrate();
    await collect(
      invokeAgentStream(agent, {
        inputText: 'count',
        sessionId: 'attrs-1',
        sessionState: { sessionAttributes: { team: 'payments' }, promptSessionAttributes: { now: '2026-11-28T06:00:00Z' } },
      }),
    );
    expect(events).toMatchObject([{ sessionAttributes: { team: 'payments' }, promptSessionAttributes: { now: '2026-11-28T06:00:00Z' } }]);
  });

  it('refuses input it cannot use with INVOKE_AGENT_INPUT, before anything runs or is stored', async () => {
    const { migrate, server } = await local({ agents: [OPS_AGENT], script: { turns: [callTool('page_oncall', { team: 'x' })] } });
    const agent = await migrate();
    const paused = await collect(invokeAgentStream(agent, { inputText: 'page', sessionId: 'bad-1' }));
    const invocationId = paused[0]?.returnControl?.invocationId;
    const version = (await agent.memory.load('bad-1'))?.version;
    const requests = server.requests.length;
    const result = (fn: string) => [{ functionResult: { actionGroup: 'paging', function: fn, responseBody: { TEXT: { body: 'done' } } } }];
    const cases: [InvokeAgentStreamOptions, RegExp][] = [
      [{ sessionId: 'bad-1' }, /inputText is required/],
      [{ inputText: 'hi', sessionId: 'x' }, /not an InvokeAgent session id/],
      [{ inputText: 'hi', sessionId: 'bad-1', sessionState: { files: [{}] } }, /files is not supported/],
      [
        { inputText: 'hi', sessionId: 'bad-1', sessionState: { conversationHistory: { messages: [] } } },
        /conversationHistory is not supported/,
      ],
      [
        { sessionId: 'bad-1', sessionState: { invocationId: 'stale', returnControlInvocationResults: result('page_oncall') } },
        /stale is not the paused invocation/,
      ],
      [
        { sessionId: 'bad-1', sessionState: { invocationId, returnControlInvocationResults: result('other') } },
        /paging\/other\) answers no paused call/,
      ],
      [
        { sessionId: 'other-session', sessionState: { returnControlInvocationResults: result('page_oncall') } },
        /no returnControl to answer/,
      ],
    ];
    for (const [options, message] of cases) {
      await expect(collect(invokeAgentStream(agent, options))).rejects.toMatchObject({
        code: 'INVOKE_AGENT_INPUT',
        message: expect.stringMatching(message),
      });
    }
    expect((await agent.memory.load('bad-1'))?.version).toBe(version);
    expect(server.requests.length).toBe(requests);
  });

  it('works for any novaloop Agent, with its tools as the novaloop action group', async () => {
    const { server } = await local({ script: { turns: [answer('Hello.')] } });
    const agent = new Agent({
      model: 'us.amazon.nova-pro-v1:0',
      clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: credentials() },
    });
    const events = await collect(invokeAgentStream(agent, { inputText: 'hi', sessionId: 'plain-1', enableTrace: true }));
    expect(text(events)).toBe('Hello.');
    expect(events.find((event) => event.trace)?.trace).toMatchObject({ agentId: 'NOVALOOP00', agentAliasId: 'TSTALIASID' });
    agent.close();
  });

  it('cancels the run when the consumer stops reading, as leaving the SDK’s stream does', async () => {
    const { events, lambdaFunctions } = recordingHandlers();
    const { migrate, server } = await local({
      agents: [OPS_AGENT],
      lambdaFunctions,
      script: { turns: [callTool('count_failed_tasks', { minutes: 1 }), answer('done')] },
    });
    const agent = await migrate();
    for await (const event of invokeAgentStream(agent, { inputText: 'count', sessionId: 'early-1', enableTrace: true })) {
      if (event.trace) break;
    }
    expect(events).toEqual([]);
    expect(server.requests.filter((request) => request.route === 'converse-stream').length).toBeLessThanOrEqual(1);
    expect((await agent.memory.load('early-1'))?.messages.filter((message) => message.role === 'assistant') ?? []).toEqual([]);
  });

  it('yields the failure trace part, then throws the run’s error from the iteration, as the SDK’s stream throws', async () => {
    const { migrate, server } = await local({ agents: [OPS_AGENT], script: { turns: [answer('never')] } });
    const agent = await migrate();
    server.injectFaults({ fault: { kind: 'internal-error' }, times: 10 });
    const seen: InvokeAgentEvent[] = [];
    const failure = await (async () => {
      for await (const event of invokeAgentStream(agent, { inputText: 'hi', sessionId: 'fail-1', enableTrace: true })) seen.push(event);
    })().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'BEDROCK_RETRIES_EXHAUSTED', bedrockCode: 'InternalServerException' });
    const last = seen.at(-1)?.trace;
    expect(last?.trace).toMatchObject({ failureTrace: { failureCode: 500, errorCode: 'BEDROCK_RETRIES_EXHAUSTED' } });
    expect(last).toMatchObject({ agentId: 'OPSAGENT01', sessionId: 'fail-1' });
    expect(seen.some((event) => event.chunk)).toBe(false);
  });
});
