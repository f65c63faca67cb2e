// The migrated tools run the action groups' Lambdas through the real Lambda client and bedrock-local's
// Invoke: the Agents input event, the Agents response format, and every way a Lambda can fail.
import { describe, expect, it } from 'vitest';
import { answer, callTool, OPS_AGENT, recordingHandlers, useLocal, type LambdaEvent } from './helpers.js';

const functionResponse = (event: LambdaEvent, body: string, extra: Record<string, unknown> = {}, state?: string) => ({
  messageVersion: '1.0',
  response: {
    actionGroup: event.actionGroup,
    function: event.function,
    functionResponse: { ...(state ? { responseState: state } : {}), responseBody: { TEXT: { body } } },
  },
  ...extra,
});

describe('migrated tools run the Lambda with the Agents event', () => {
  const local = useLocal();

  it('sends a function call as the Agents function event and gives the model the TEXT body', async () => {
    const { events, lambdaFunctions } = recordingHandlers();
    const { migrate } = await local({
      agents: [OPS_AGENT],
      lambdaFunctions,
      script: { turns: [callTool('count_failed_tasks', { minutes: 60, cluster: 'prod' }), answer('7 tasks failed.')] },
    });
    const agent = await migrate();
    const result = await agent.run('How many failed ECS tasks do we have in the last hour?', { sessionId: 'session-1' });
    expect(result.text).toBe('7 tasks failed.');
    expect(events).toEqual([
      {
        messageVersion: '1.0',
        agent: { name: 'ops-assistant', id: 'OPSAGENT01', alias: 'TSTALIASID', version: 'DRAFT' },
        inputText: 'How many failed ECS tasks do we have in the last hour?',
        sessionId: 'session-1',
        actionGroup: 'ecs',
        function: 'count_failed_tasks',
        parameters: [
          { name: 'minutes', type: 'integer', value: '60' },
          { name: 'cluster', type: 'string', value: 'prod' },
        ],
        sessionAttributes: {},
        promptSessionAttributes: {},
      },
    ]);
    const call = result.steps[0]?.toolCalls[0];
    expect(call?.status).toBe('success');
    expect(call?.content).toEqual([
      { text: '7 tasks failed ([{"name":"minutes","type":"integer","value":"60"},{"name":"cluster","type":"string","value":"prod"}])' },
    ]);
  });

  it('sends an API operation with apiPath, httpMethod, parameters and requestBody, and gives the model the JSON body', async () => {
    const { events, lambdaFunctions } = recordingHandlers();
    const { migrate } = await local({
      agents: [OPS_AGENT],
      lambdaFunctions,
      script: {
        turns: [
          {
            content: [
              { toolUse: { toolUseId: 'auto', name: 'getServiceStatus', input: { name: 'payments-api', verbose: true } } },
              {
                toolUse: { toolUseId: 'auto', name: 'create_incident', input: { body: { title: 'OOM', severity: 'high', tags: ['ecs'] } } },
              },
            ],
          },
          answer('Degraded; incident opened.'),
        ],
      },
    });
    const agent = await migrate();
    const result = await agent.run('Is payments-api healthy?');
    expect(events).toHaveLength(2);
    expect(events.find((event) => event.apiPath === '/services/{name}/status')).toMatchObject({
      actionGroup: 'status-api',
      apiPath: '/services/{name}/status',
      httpMethod: 'GET',
      parameters: [
        { name: 'name', type: 'string', value: 'payments-api' },
        { name: 'verbose', type: 'boolean', value: 'true' },
      ],
    });
    expect(events.find((event) => event.apiPath === '/incidents')).toMatchObject({
      httpMethod: 'POST',
      parameters: [],
      requestBody: {
        content: {
          'application/json': {
            properties: [
              { name: 'title', type: 'string', value: 'OOM' },
              { name: 'severity', type: 'string', value: 'high' },
              { name: 'tags', type: 'array', value: '["ecs"]' },
            ],
          },
        },
      },
    });
    expect(result.steps[0]?.toolCalls.map((call) => call.content)).toEqual([
      [{ json: { status: 'degraded', path: '/services/{name}/status' } }],
      [{ json: { status: 'degraded', path: '/incidents' } }],
    ]);
  });

  it('writes session attributes back into the session and keeps prompt session attributes for the rest of the turn only', async () => {
    const events: LambdaEvent[] = [];
    let calls = 0;
    const { migrate } = await local({
      agents: [OPS_AGENT],
      lambdaFunctions: {
        'ecs-actions': {
          handler: (raw) => {
            const event = raw as LambdaEvent;
            events.push(event);
            calls++;
            return functionResponse(event, `call ${calls}`, {
              sessionAttributes: { ...(event.sessionAttributes as object), calls: String(calls) },
              promptSessionAttributes: { lastCall: String(calls) },
            });
          },
        },
      },
      // One script for the whole session: a turn is picked by the number of assistant messages so far.
      script: {
        turns: [
          callTool('count_failed_tasks', { minutes: 5 }),
          callTool('count_failed_tasks', { minutes: 10 }),
          answer('done'),
          callTool('count_failed_tasks', { minutes: 15 }),
          answer('done'),
        ],
      },
    });
    const agent = await migrate();
    const first = await agent.run('first question', { sessionId: 's', sessionAttributes: { team: 'payments' } });
    expect(first.sessionAttributes).toEqual({ team: 'payments', calls: '2' });
    const second = await agent.run('second question', { sessionId: 's' });
    expect(second.sessionAttributes).toEqual({ team: 'payments', calls: '3' });
    expect(events.map((event) => [event.inputText, event.sessionAttributes, event.promptSessionAttributes])).toEqual([
      ['first question', { team: 'payments' }, {}],
      ['first question', { team: 'payments', calls: '1' }, { lastCall: '1' }],
      // A new turn starts without the last turn's prompt session attributes.
      ['second question', { team: 'payments', calls: '2' }, {}],
    ]);
    expect((await agent.memory.load('s'))?.attributes).toEqual({ team: 'payments', calls: '3' });
  });

  it('gives the model an error result, with the Lambda request id, for every way the Lambda fails; the run goes on', async () => {
    const bodies: Record<string, (event: LambdaEvent) => unknown> = {
      throws: () => {
        throw new Error('DynamoDB table ecs-tasks not found');
      },
      'not-json': () => 'plain text, not the Agents format',
      'no-response': () => ({ messageVersion: '1.0' }),
      'no-body': (event) => ({
        messageVersion: '1.0',
        response: { actionGroup: event.actionGroup, function: event.function, functionResponse: {} },
      }),
      'bad-state': (event) => functionResponse(event, 'x', {}, 'MAYBE'),
      failure: (event) => functionResponse(event, 'the ECS API is down', {}, 'FAILURE'),
      reprompt: (event) => functionResponse(event, 'minutes must be at most 1440', {}, 'REPROMPT'),
      slow: () => new Promise((resolve) => setTimeout(resolve, 1_000)),
    };
    const order = Object.keys(bodies);
    let n = 0;
    const { migrate } = await local({
      agents: [OPS_AGENT],
      lambdaFunctions: {
        'ecs-actions': {
          handler: (raw) => (bodies[order[n++] as string] as (event: LambdaEvent) => unknown)(raw as LambdaEvent),
          timeoutMs: 100,
        },
      },
      script: { turns: [...order.map((_, i) => callTool('count_failed_tasks', { minutes: i + 1 })), answer('I could not count them.')] },
    });
    const agent = await migrate({ agentOptions: { maxSteps: 20 } });
    const result = await agent.run('How many failed?');
    expect(result.text).toBe('I could not count them.');
    const errors = result.steps.flatMap((step) => step.toolCalls).map((call) => [call.status, call.error]);
    const requestId = '[0-9a-f-]{36}';
    expect(errors).toEqual([
      [
        'error',
        expect.stringMatching(
          new RegExp(`failed \\(Unhandled: Error: DynamoDB table ecs-tasks not found; Lambda request id ${requestId}\\)`),
        ),
      ],
      [
        'error',
        expect.stringMatching(
          new RegExp(`a format Bedrock Agents does not accept \\(no "response" object; Lambda request id ${requestId}\\)`),
        ),
      ],
      ['error', expect.stringMatching(/no "response" object/)],
      ['error', expect.stringMatching(/no response\.functionResponse\.responseBody/)],
      ['error', expect.stringMatching(/responseState "MAYBE"/)],
      ['error', expect.stringMatching(new RegExp(`reported a FAILURE: the ECS API is down \\(Lambda request id ${requestId}\\)`))],
      ['error', expect.stringMatching(/asks to try again: minutes must be at most 1440/)],
      ['error', expect.stringMatching(new RegExp(`Sandbox.Timedout: RequestId: ${requestId} Error: Task timed out after 0.10 seconds`))],
    ]);
  });

  it('answers an unknown function and an HTTP error status as error results too', async () => {
    const { migrate } = await local({
      agents: [OPS_AGENT],
      lambdaFunctions: {
        'status-api': {
          handler: (raw) => {
            const event = raw as LambdaEvent;
            return {
              messageVersion: '1.0',
              response: { ...event, httpStatusCode: 503, responseBody: { 'application/json': { body: '{"error":"unavailable"}' } } },
            };
          },
        },
      },
      script: { turns: [callTool('count_failed_tasks', { minutes: 1 }), callTool('getServiceStatus', { name: 'api' }), answer('no data')] },
    });
    const result = await (await migrate()).run('status?');
    expect(result.steps.flatMap((step) => step.toolCalls).map((call) => call.error)).toEqual([
      expect.stringMatching(/Calling action group ecs's Lambda .*ecs-actions failed \(ResourceNotFoundException: Function not found/),
      expect.stringMatching(/answered HTTP 503: \{"error":"unavailable"\}/),
    ]);
  });
});
