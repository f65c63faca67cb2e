// fromBedrockAgent against bedrock-local with the real bedrock-agent and Lambda clients: what the
// migrated agent is made of, and its tools running the action groups' Lambdas in the Agents format.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BedrockAgentsError, IdleSessionStore, invokeAgentStream } from '../src/index.js';
import { answer, callTool, OPS_AGENT, useLocal } from './helpers.js';

const KB_DIR = fileURLToPath(new URL('./fixtures/kb', import.meta.url));

describe('fromBedrockAgent reads the agent', () => {
  const local = useLocal();

  it('carries over the instruction, model, idle TTL and one tool per function and API operation', async () => {
    const { server, migrate } = await local({ agents: [OPS_AGENT], script: { turns: [answer('ok')] } });
    const agent = await migrate();
    expect(agent.model).toBe('us.amazon.nova-pro-v1:0');
    expect(agent.source).toMatchObject({
      agentId: 'OPSAGENT01',
      agentName: 'ops-assistant',
      agentVersion: 'DRAFT',
      idleSessionTTLInSeconds: 900,
    });
    expect(agent.memory).toBeInstanceOf(IdleSessionStore);
    expect(agent.migrationReport).toEqual([]);
    expect(agent.actions).toEqual([
      {
        toolName: 'count_failed_tasks',
        actionGroup: 'ecs',
        function: 'count_failed_tasks',
        executionType: 'LAMBDA',
        lambda: expect.stringContaining(':function:ecs-actions'),
      },
      // Nova rejects hyphens in tool names: the tool is renamed and maps back to the function.
      { toolName: 'restart_service', actionGroup: 'ecs', function: 'restart-service', executionType: 'LAMBDA', lambda: expect.any(String) },
      {
        toolName: 'getServiceStatus',
        actionGroup: 'status-api',
        apiPath: '/services/{name}/status',
        httpMethod: 'GET',
        executionType: 'LAMBDA',
        lambda: expect.stringContaining(':function:status-api'),
      },
      {
        toolName: 'create_incident',
        actionGroup: 'status-api',
        apiPath: '/incidents',
        httpMethod: 'POST',
        executionType: 'LAMBDA',
        lambda: expect.any(String),
      },
      { toolName: 'page_oncall', actionGroup: 'paging', function: 'page_oncall', executionType: 'RETURN_CONTROL' },
    ]);

    await agent.run('hello');
    const body = server.requests.find((request) => request.route === 'converse-stream')?.body as {
      system: { text: string }[];
      toolConfig: { tools: { toolSpec: { name: string; description: string; inputSchema: { json: Record<string, unknown> } } }[] };
    };
    expect(body.system).toEqual([{ text: 'You are an infrastructure assistant. Use the action groups to answer with facts.' }]);
    const specs = Object.fromEntries(body.toolConfig.tools.map(({ toolSpec }) => [toolSpec.name, toolSpec]));
    expect(specs.count_failed_tasks).toEqual({
      name: 'count_failed_tasks',
      description: 'Count the ECS tasks that failed in a time window',
      inputSchema: {
        json: {
          type: 'object',
          properties: {
            minutes: { type: 'integer', description: 'Window length in minutes', minimum: expect.any(Number), maximum: expect.any(Number) },
            cluster: { type: 'string', description: 'Cluster name' },
          },
          required: ['minutes'],
        },
      },
    });
    expect(specs.getServiceStatus?.description).toBe('Current health of a service');
    expect(specs.getServiceStatus?.inputSchema.json).toEqual({
      type: 'object',
      properties: { name: { type: 'string', description: 'The service name' }, verbose: { type: 'boolean' } },
      required: ['name'],
    });
    // The body's $refs are resolved inline: Nova fails on $ref.
    expect(specs.create_incident?.inputSchema.json).toMatchObject({
      properties: {
        body: {
          type: 'object',
          properties: {
            title: { type: 'string', description: 'One line' },
            severity: { type: 'string', enum: ['low', 'high'] },
            tags: { type: 'array', items: { type: 'string' } },
          },
          required: ['title'],
        },
      },
      required: ['body'],
    });
    expect(JSON.stringify(body.toolConfig)).not.toContain('$ref');
  });

  it('takes the version an alias routes to, and refuses a version and an alias together', async () => {
    const { migrate } = await local({
      agents: [
        OPS_AGENT,
        {
          ...OPS_AGENT,
          agent: { ...OPS_AGENT.agent, agentVersion: '2', instruction: 'Version two.' },
          aliases: [{ agentAliasId: 'V2ALIAS001' }],
        },
      ],
    });
    const agent = await migrate({ agentAliasId: 'V2ALIAS001' });
    expect(agent.source).toMatchObject({ agentVersion: '2', agentAliasId: 'V2ALIAS001' });
    await expect(migrate({ agentAliasId: 'V2ALIAS001', agentVersion: '2' })).rejects.toMatchObject({ code: 'AGENT_OPTIONS_INVALID' });
  });

  it('answers an unknown agent with AGENT_NOT_FOUND and a refused read with AGENT_READ_FAILED', async () => {
    const { migrate } = await local({ agents: [OPS_AGENT] });
    const missing = await migrate({ agentId: 'NOSUCHAGNT' }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(BedrockAgentsError);
    expect(missing).toMatchObject({ code: 'AGENT_NOT_FOUND', message: expect.stringMatching(/NOSUCHAGNT.*Check the id/) });
    const denied = await migrate({ agentId: 'bad id' }).catch((error: unknown) => error);
    expect(denied).toMatchObject({ code: 'AGENT_READ_FAILED', message: expect.stringMatching(/ValidationException/) });
  });

  it('turns a knowledge-base association into a knowledgeBaseRetrieve tool with its description, traced as a KB lookup', async () => {
    const definition = {
      ...OPS_AGENT,
      actionGroups: [],
      knowledgeBases: [
        { knowledgeBaseId: 'RUNBOOKS01', description: 'On-call runbooks for ECS and Redis' },
        { knowledgeBaseId: 'OLDDOCS001', description: 'Old', knowledgeBaseState: 'DISABLED' },
      ],
    };
    const { migrate, server } = await local({
      agents: [definition],
      knowledgeBases: { RUNBOOKS01: KB_DIR },
      script: { turns: [callTool('knowledge_base_RUNBOOKS01', { query: 'ECS task OutOfMemoryError' }), answer('Raise the task memory.')] },
    });
    const agent = await migrate();
    expect(agent.actions).toEqual([
      { toolName: 'knowledge_base_RUNBOOKS01', knowledgeBaseId: 'RUNBOOKS01', executionType: 'KNOWLEDGE_BASE' },
    ]);
    expect(agent.migrationReport).toEqual([{ feature: 'knowledge base OLDDOCS001 (DISABLED)', novaloop: expect.any(String) }]);
    const events = [];
    for await (const event of invokeAgentStream(agent, { inputText: 'A task was OOM-killed', sessionId: 'kb-1', enableTrace: true }))
      events.push(event);
    const tools = (
      server.requests.find((request) => request.route === 'converse-stream')?.body as {
        toolConfig: { tools: { toolSpec: { name: string; description: string } }[] };
      }
    ).toolConfig.tools;
    expect(tools.map((entry) => entry.toolSpec.description)).toEqual(['Search the knowledge base: On-call runbooks for ECS and Redis']);
    expect(server.requests.filter((request) => request.route === 'retrieve').map((request) => request.modelId)).toEqual(['RUNBOOKS01']);
    const traces = events.flatMap((event) =>
      event.trace && 'orchestrationTrace' in event.trace.trace ? [event.trace.trace.orchestrationTrace] : [],
    );
    expect(traces).toContainEqual({
      invocationInput: expect.objectContaining({
        invocationType: 'KNOWLEDGE_BASE',
        knowledgeBaseLookupInput: { text: 'ECS task OutOfMemoryError', knowledgeBaseId: 'RUNBOOKS01' },
      }),
    });
    const lookup = traces.find((trace) => 'observation' in trace && trace.observation.type === 'KNOWLEDGE_BASE');
    expect(JSON.stringify(lookup)).toContain('ecs-oom.md');
  });
});
