// What fromBedrockAgent leaves behind (the migration report), what it refuses (typed errors), and
// the return-of-control, confirmation and idle-TTL parts of a migrated agent.
import type { LocalAgentDefinition } from '@novaloop/bedrock-local';
import { describe, expect, it } from 'vitest';
import { isNovaloopError } from '@novaloop/core';
import { BedrockAgentsError, IdleSessionStore } from '../src/index.js';
import { answer, callTool, OPS_AGENT, recordingHandlers, useLocal } from './helpers.js';

const agentWith = (extra: Partial<LocalAgentDefinition> & { agent?: Record<string, unknown> }): LocalAgentDefinition => ({
  agent: { agentId: 'OTHERAGENT', agentName: 'other', foundationModel: 'us.amazon.nova-lite-v1:0', ...extra.agent },
  actionGroups: extra.actionGroups ?? [],
  knowledgeBases: extra.knowledgeBases ?? [],
});

describe('the migration report', () => {
  const local = useLocal();

  it('lists every part of the agent novaloop does not carry over, with what it does instead', async () => {
    const definition = agentWith({
      agent: {
        promptOverrideConfiguration: {
          promptConfigurations: [
            {
              promptType: 'ORCHESTRATION',
              promptCreationMode: 'OVERRIDDEN',
              basePromptTemplate: '...',
              inferenceConfiguration: { temperature: 0.2, maximumLength: 1024, topP: 0.5, stopSequences: ['</answer>'] },
            },
            { promptType: 'PRE_PROCESSING', promptCreationMode: 'DEFAULT', promptState: 'ENABLED' },
            { promptType: 'POST_PROCESSING', promptCreationMode: 'DEFAULT', promptState: 'DISABLED' },
          ],
        },
        memoryConfiguration: { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 30 },
        guardrailConfiguration: { guardrailIdentifier: 'gr-123', guardrailVersion: '1' },
        agentCollaboration: 'SUPERVISOR',
      },
      actionGroups: [
        { actionGroupId: 'CODEINTERP', actionGroupName: 'code', parentActionSignature: 'AMAZON.CodeInterpreter' },
        { actionGroupId: 'USERINPUT1', actionGroupName: 'ask', parentActionSignature: 'AMAZON.UserInput' },
        {
          actionGroupId: 'DISABLED01',
          actionGroupName: 'old',
          actionGroupState: 'DISABLED',
          actionGroupExecutor: { customControl: 'RETURN_CONTROL' },
          functionSchema: { functions: [{ name: 'old_fn' }] },
        },
      ],
    });
    const { migrate } = await local({ agents: [definition], agentId: 'OTHERAGENT' });
    const agent = await migrate();
    expect(agent.migrationReport.map((note) => note.feature)).toEqual([
      'promptOverrideConfiguration ORCHESTRATION (overridden template)',
      'promptOverrideConfiguration PRE_PROCESSING (enabled)',
      'memoryConfiguration (SESSION_SUMMARY, 30 days)',
      'guardrailConfiguration gr-123 version 1',
      'agentCollaboration SUPERVISOR',
      'action group code (AMAZON.CodeInterpreter)',
      'action group ask (AMAZON.UserInput)',
      'action group old (DISABLED)',
    ]);
    for (const note of agent.migrationReport) expect(note.novaloop.length).toBeGreaterThan(20);
    expect(agent.migrationReport[0]?.novaloop).toMatch(/instruction is the system prompt/);
    expect(agent.actions).toEqual([]);
  });

  it('carries over an overridden orchestration prompt’s inference settings', async () => {
    const definition = agentWith({
      agent: {
        promptOverrideConfiguration: {
          promptConfigurations: [
            {
              promptType: 'ORCHESTRATION',
              promptCreationMode: 'OVERRIDDEN',
              inferenceConfiguration: { temperature: 0.2, maximumLength: 1024, topP: 0.5, stopSequences: ['</answer>'] },
            },
          ],
        },
      },
    });
    const { migrate, server } = await local({ agents: [definition], agentId: 'OTHERAGENT', script: { turns: [answer('hi')] } });
    await (await migrate()).run('hello');
    expect((server.requests.at(-1)?.body as { inferenceConfig: unknown }).inferenceConfig).toEqual({
      maxTokens: 1024,
      temperature: 0.2,
      topP: 0.5,
      stopSequences: ['</answer>'],
    });
  });
});

describe('fromBedrockAgent refuses what cannot become a tool', () => {
  const local = useLocal();
  const apiGroup = (payload: unknown) =>
    agentWith({
      actionGroups: [
        {
          actionGroupId: 'APIGROUP01',
          actionGroupName: 'api',
          actionGroupExecutor: { lambda: 'arn:aws:lambda:us-east-1:123456789012:function:api' },
          apiSchema: payload as never,
        },
      ],
    });

  it('an API schema in S3 unless its text is given in apiSchemas', async () => {
    const { migrate } = await local({
      agents: [apiGroup({ s3: { s3BucketName: 'schemas', s3ObjectKey: 'api.yaml' } })],
      agentId: 'OTHERAGENT',
    });
    await expect(migrate()).rejects.toMatchObject({
      code: 'AGENT_SCHEMA_UNAVAILABLE',
      actionGroupName: 'api',
      message: expect.stringMatching(/s3:\/\/schemas\/api\.yaml.*apiSchemas\["api"\]/),
    });
    const agent = await migrate({
      apiSchemas: { api: { openapi: '3.0.0', paths: { '/ping': { get: { operationId: 'ping', description: 'Ping', responses: {} } } } } },
    });
    expect(agent.actions).toEqual([expect.objectContaining({ toolName: 'ping', apiPath: '/ping', httpMethod: 'GET' })]);
  });

  it('every error is a NovaloopError with its code, and says what to do', async () => {
    const { migrate } = await local({ agents: [OPS_AGENT] });
    const error = await migrate({ agentId: '' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BedrockAgentsError);
    expect(isNovaloopError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'AGENT_OPTIONS_INVALID', message: expect.stringMatching(/needs \{ agentId \}/) });
  });

  it('a recursive $ref, an outside $ref, a document that is not OpenAPI, and an unknown parameter type', async () => {
    const recursive = {
      openapi: '3.0.0',
      paths: {
        '/tree': {
          post: { description: 'd', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } },
        },
      },
      components: { schemas: { Node: { type: 'object', properties: { child: { $ref: '#/components/schemas/Node' } } } } },
    };
    const outside = { openapi: '3.0.0', paths: { '/x': { get: { description: 'd', parameters: [{ $ref: 'other.yaml#/p' }] } } } };
    const cases: [unknown, RegExp][] = [
      [{ payload: JSON.stringify(recursive) }, /recursive through #\/components\/schemas\/Node/],
      [{ payload: JSON.stringify(outside) }, /refers to other\.yaml#\/p/],
      [{ payload: 'just: [text' }, /neither JSON nor YAML/],
      [{ payload: '{"swagger": "2.0"}' }, /no "paths" object/],
    ];
    for (const [schema, message] of cases) {
      const { migrate } = await local({ agents: [apiGroup(schema)], agentId: 'OTHERAGENT' });
      await expect(migrate()).rejects.toMatchObject({
        code: 'AGENT_SCHEMA_INVALID',
        actionGroupName: 'api',
        message: expect.stringMatching(message),
      });
    }
    const badType = agentWith({
      actionGroups: [
        {
          actionGroupId: 'FUNCGROUP1',
          actionGroupName: 'fn',
          actionGroupExecutor: { customControl: 'RETURN_CONTROL' },
          functionSchema: { functions: [{ name: 'f', parameters: { when: { type: 'date', required: true } } }] },
        },
      ],
    });
    const { migrate } = await local({ agents: [badType], agentId: 'OTHERAGENT' });
    await expect(migrate()).rejects.toMatchObject({
      code: 'AGENT_SCHEMA_INVALID',
      message: expect.stringMatching(/parameter when has type "date"/),
    });
  });
});

describe('return of control, confirmation and the idle TTL', () => {
  const local = useLocal();

  it('a RETURN_CONTROL group pauses the run; agent.resume goes on with the application’s result', async () => {
    const { migrate, server } = await local({
      agents: [OPS_AGENT],
      script: { turns: [callTool('page_oncall', { team: 'payments' }), answer('Paged payments.')] },
    });
    const agent = await migrate();
    const paused = await agent.run('Page the payments on-call', { sessionId: 'rc' });
    expect(paused.stopReason).toBe('return_control');
    expect(paused.pending).toMatchObject([{ name: 'page_oncall', input: { team: 'payments' } }]);
    expect(server.requests.filter((request) => request.route === 'lambda')).toEqual([]);
    const resumed = await agent.resume('rc', [{ toolUseId: paused.pending[0]?.toolUseId ?? '', result: 'paged' }]);
    expect(resumed.text).toBe('Paged payments.');
  });

  it('a function with requireConfirmation waits for approval, then runs its Lambda with the turn’s input text', async () => {
    const { events, lambdaFunctions } = recordingHandlers();
    const { migrate } = await local({
      agents: [OPS_AGENT],
      lambdaFunctions,
      script: { turns: [callTool('restart_service', { service: 'payments-api' }), answer('Restarted.')] },
    });
    const agent = await migrate();
    const paused = await agent.run('Restart payments-api', { sessionId: 'ok' });
    expect(paused.stopReason).toBe('needs_approval');
    expect(events).toEqual([]);
    await agent.resume('ok', [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true }]);
    expect(events).toMatchObject([
      { function: 'restart-service', inputText: 'Restart payments-api', parameters: [{ name: 'service', value: 'payments-api' }] },
    ]);
  });

  it('with your own memory, the report says to give it the idle TTL', async () => {
    const { migrate } = await local({ agents: [OPS_AGENT] });
    const agent = await migrate({ agentOptions: { memory: new IdleSessionStore(60) } });
    expect(agent.migrationReport).toEqual([{ feature: 'idleSessionTTLInSeconds 900', novaloop: expect.stringMatching(/ttlSeconds: 900/) }]);
  });

  it('the default store forgets a session idle for longer than the agent’s idleSessionTTLInSeconds', async () => {
    let now = 0;
    const store = new IdleSessionStore(900, () => now);
    await store.append('s', [{ role: 'user', content: [{ text: 'hi' }] }], 0);
    now = 899_000;
    expect(await store.load('s')).toBeDefined();
    now += 900_001;
    expect(await store.load('s')).toBeUndefined();
    expect(await store.append('s', [{ role: 'user', content: [{ text: 'again' }] }], 0)).toBe(1);
  });
});
