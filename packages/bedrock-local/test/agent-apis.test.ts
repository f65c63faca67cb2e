// The bedrock-agent read calls and Lambda's Invoke, through the real SDK clients (HTTP/1.1, SigV4)
// pointed at bedrock-local: what a migration off Bedrock Agents reads and calls.
import {
  BedrockAgentClient,
  GetAgentActionGroupCommand,
  GetAgentAliasCommand,
  GetAgentCommand,
  GetAgentVersionCommand,
  ListAgentActionGroupsCommand,
  ListAgentKnowledgeBasesCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-bedrock-agent';
import { InvokeCommand, LambdaClient, ResourceNotFoundException as LambdaNotFound } from '@aws-sdk/client-lambda';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LocalBedrockAgentError, LocalBedrockLambdaError, startLocalBedrock, type LocalBedrock } from '../src/index.js';
import { useLocalBedrock } from './helpers.js';

const fixture = (path: string) => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url));
const credentials = () => ({ accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' });
const agentClient = (server: LocalBedrock) =>
  new BedrockAgentClient({ region: 'us-east-1', endpoint: server.endpoint, credentials: credentials() });
const lambdaClient = (server: LocalBedrock) =>
  new LambdaClient({ region: 'us-east-1', endpoint: server.endpoint, credentials: credentials() });
const decode = (payload: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;

describe('bedrock-agent read calls', () => {
  const start = useLocalBedrock();

  it('serve an agent definition file as GetAgent, its action groups, knowledge bases and alias', async () => {
    const server = await start({ agents: [fixture('agents/ops-agent.json')] });
    const client = agentClient(server);
    const { agent } = await client.send(new GetAgentCommand({ agentId: 'OPSAGENT01' }));
    expect(agent).toMatchObject({
      agentId: 'OPSAGENT01',
      agentName: 'ops-assistant',
      agentVersion: 'DRAFT',
      agentStatus: 'PREPARED',
      foundationModel: 'amazon.nova-pro-v1:0',
      idleSessionTTLInSeconds: 900,
      agentArn: 'arn:aws:bedrock:us-east-1:123456789012:agent/OPSAGENT01',
    });
    expect(agent?.updatedAt).toBeInstanceOf(Date);

    const version = await client.send(new GetAgentVersionCommand({ agentId: 'OPSAGENT01', agentVersion: 'DRAFT' }));
    expect(version.agentVersion).toMatchObject({ version: 'DRAFT', instruction: agent?.instruction });

    const { agentAlias } = await client.send(new GetAgentAliasCommand({ agentId: 'OPSAGENT01', agentAliasId: 'PRODALIAS1' }));
    expect(agentAlias).toMatchObject({ agentAliasName: 'prod', routingConfiguration: [{ agentVersion: 'DRAFT' }] });

    // Paged one at a time, as a client with maxResults 1 reads them.
    const first = await client.send(new ListAgentActionGroupsCommand({ agentId: 'OPSAGENT01', agentVersion: 'DRAFT', maxResults: 1 }));
    expect(first.actionGroupSummaries?.map((group) => group.actionGroupName)).toEqual(['ecs']);
    expect(first.nextToken).toBeTypeOf('string');
    const second = await client.send(
      new ListAgentActionGroupsCommand({ agentId: 'OPSAGENT01', agentVersion: 'DRAFT', maxResults: 1, nextToken: first.nextToken }),
    );
    expect(second.actionGroupSummaries).toMatchObject([
      { actionGroupId: 'APIGROUP01', actionGroupName: 'status-api', actionGroupState: 'ENABLED' },
    ]);
    expect(second.nextToken).toBeUndefined();

    const functions = await client.send(
      new GetAgentActionGroupCommand({ agentId: 'OPSAGENT01', agentVersion: 'DRAFT', actionGroupId: 'FUNCGROUP1' }),
    );
    expect(functions.agentActionGroup?.functionSchema).toEqual({
      functions: [
        {
          name: 'count_failed_tasks',
          description: 'Count the ECS tasks that failed in a time window',
          parameters: { minutes: { type: 'integer', description: 'Window length in minutes', required: true } },
        },
      ],
    });
    expect(functions.agentActionGroup?.actionGroupExecutor).toEqual({
      lambda: 'arn:aws:lambda:us-east-1:123456789012:function:ecs-actions',
    });
    const api = await client.send(
      new GetAgentActionGroupCommand({ agentId: 'OPSAGENT01', agentVersion: 'DRAFT', actionGroupId: 'APIGROUP01' }),
    );
    // The payload file beside the definition is served as the schema's JSON text.
    const payload = api.agentActionGroup?.apiSchema?.payload;
    expect(typeof payload).toBe('string');
    expect(JSON.parse(payload as string)).toMatchObject({ openapi: '3.0.0' });

    const kbs = await client.send(new ListAgentKnowledgeBasesCommand({ agentId: 'OPSAGENT01', agentVersion: 'DRAFT' }));
    expect(kbs.agentKnowledgeBaseSummaries).toMatchObject([
      { knowledgeBaseId: 'RUNBOOKS01', description: 'On-call runbooks', knowledgeBaseState: 'ENABLED' },
    ]);
    expect(server.requests.map((request) => [request.route, request.modelId])).toContainEqual(['bedrock-agent', 'GetAgent']);
    client.destroy();
  });

  it('answer unknown agents, versions and action groups with ResourceNotFoundException, bad ids with ValidationException', async () => {
    const server = await start({ agents: [{ agent: { agentId: 'AGENT00001', agentName: 'a' } }] });
    const client = agentClient(server);
    await expect(client.send(new GetAgentCommand({ agentId: 'AGENT00002' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new ListAgentActionGroupsCommand({ agentId: 'AGENT00001', agentVersion: '3' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      client.send(new GetAgentActionGroupCommand({ agentId: 'AGENT00001', agentVersion: 'DRAFT', actionGroupId: 'NOSUCHGRP1' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new GetAgentCommand({ agentId: 'short' }))).rejects.toThrow(
      expect.objectContaining({ name: 'ValidationException', message: expect.stringMatching(/at 'agentId'/) }),
    );
    await expect(
      client.send(new ListAgentKnowledgeBasesCommand({ agentId: 'AGENT00001', agentVersion: 'DRAFT', maxResults: 0 })),
    ).rejects.toBeInstanceOf(ValidationException);
    client.destroy();
  });

  it('refuses a definition it cannot serve at startup, naming the field', async () => {
    await expect(startLocalBedrock({ agents: [{ agent: { agentId: 'x', agentName: 'a' } }] })).rejects.toThrow(LocalBedrockAgentError);
    await expect(
      startLocalBedrock({ agents: [{ agent: { agentId: 'AGENT00001', agentName: 'a' }, actionGroups: [{ actionGroupName: 'g' }] }] }),
    ).rejects.toThrow(/actionGroups\[0\]\.actionGroupId/);
    await expect(startLocalBedrock({ agents: [fixture('agents/missing.json')] })).rejects.toThrow(/cannot be read as JSON/);
  });
});

describe('Lambda Invoke', () => {
  const start = useLocalBedrock();

  it('runs a handler module by name or ARN with the event, and returns its result with the request id', async () => {
    const server = await start({ lambdaFunctions: { echo: fixture('lambda/echo.mjs') } });
    const client = lambdaClient(server);
    for (const FunctionName of ['echo', 'arn:aws:lambda:us-east-1:123456789012:function:echo']) {
      const response = await client.send(new InvokeCommand({ FunctionName, Payload: JSON.stringify({ hello: 'world' }) }));
      expect(response.StatusCode).toBe(200);
      expect(response.FunctionError).toBeUndefined();
      expect(response.ExecutedVersion).toBe('$LATEST');
      const body = decode(response.Payload);
      expect(body).toEqual({ event: { hello: 'world' }, requestId: response.$metadata.requestId, remaining: true });
    }
    expect(server.requests.filter((request) => request.route === 'lambda')).toHaveLength(2);
    const dry = await client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
    client.destroy();
  });

  it('answers a handler that throws, times out or is missing with FunctionError and Lambda’s error payload', async () => {
    const server = await start({
      lambdaFunctions: {
        broken: {
          handler: () => {
            throw new TypeError('cannot read the table');
          },
        },
        slow: { handler: () => new Promise((resolve) => setTimeout(resolve, 2_000)), timeoutMs: 50 },
        empty: { module: fixture('lambda/no-handler.mjs') },
      },
    });
    const client = lambdaClient(server);
    const broken = await client.send(new InvokeCommand({ FunctionName: 'broken', Payload: '{}' }));
    expect(broken.StatusCode).toBe(200);
    expect(broken.FunctionError).toBe('Unhandled');
    expect(decode(broken.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'cannot read the table' });

    const slow = await client.send(new InvokeCommand({ FunctionName: 'slow', Payload: '{}' }));
    expect(slow.FunctionError).toBe('Unhandled');
    expect(decode(slow.Payload)).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${slow.$metadata.requestId} Error: Task timed out after 0.05 seconds`,
    });

    const empty = await client.send(new InvokeCommand({ FunctionName: 'empty', Payload: '{}' }));
    expect(decode(empty.Payload)).toMatchObject({ errorType: 'Runtime.HandlerNotFound' });
    client.destroy();
  });

  it('answers an unknown function with ResourceNotFoundException and a payload that is not JSON with InvalidRequestContentException', async () => {
    const server = await start({ lambdaFunctions: { echo: fixture('lambda/echo.mjs') } });
    const client = lambdaClient(server);
    await expect(client.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toBeInstanceOf(LambdaNotFound);
    await expect(client.send(new InvokeCommand({ FunctionName: 'echo', Payload: 'not json' }))).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidRequestContentException' }),
    );
    client.destroy();
  });

  it('refuses a function it cannot load at startup', async () => {
    await expect(startLocalBedrock({ lambdaFunctions: { gone: '/nonexistent/handler.mjs' } })).rejects.toThrow(LocalBedrockLambdaError);
    await expect(startLocalBedrock({ lambdaFunctions: { 'bad name!': { handler: () => 1 } } })).rejects.toThrow(/function name/);
  });

  it('checks the SigV4 signatures of both clients when asked to (signing names bedrock and lambda)', async () => {
    const server = await start({
      agents: [fixture('agents/ops-agent.json')],
      lambdaFunctions: { echo: fixture('lambda/echo.mjs') },
      signatures: { credentials: [credentials()] },
    });
    const agents = agentClient(server);
    const lambda = lambdaClient(server);
    expect((await agents.send(new GetAgentCommand({ agentId: 'OPSAGENT01' }))).agent?.agentName).toBe('ops-assistant');
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:echo';
    expect((await lambda.send(new InvokeCommand({ FunctionName: arn, Payload: '{}' }))).StatusCode).toBe(200);
    const forged = new LambdaClient({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { ...credentials(), secretAccessKey: 'wrong' },
    });
    await expect(forged.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{}' }))).rejects.toThrow(/signature/i);
    for (const client of [agents, lambda, forged]) client.destroy();
  });
});
