import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  startLocalBedrock,
  type LocalAgentDefinition,
  type LocalBedrock,
  type LocalBedrockOptions,
  type ScriptTurn,
} from '@novaloop/bedrock-local';
import { afterEach } from 'vitest';
import { fromBedrockAgent, type FromBedrockAgentOptions, type MigratedAgent } from '../src/index.js';

export const credentials = () => ({ accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' });

/** A recorded Lambda event, as a handler received it. */
export type LambdaEvent = Record<string, unknown>;

export interface Local {
  server: LocalBedrock;
  agentClient: BedrockAgentClient;
  lambdaClient: LambdaClient;
  migrate(options?: Partial<FromBedrockAgentOptions>): Promise<MigratedAgent>;
}

/** bedrock-local serving Bedrock Runtime, bedrock-agent and Lambda; everything closed after each test. */
export function useLocal() {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return async (options: LocalBedrockOptions & { agentId?: string }): Promise<Local> => {
    const server = await startLocalBedrock(options);
    cleanups.push(() => server.close());
    const agentClient = new BedrockAgentClient({ region: 'us-east-1', endpoint: server.endpoint, credentials: credentials() });
    const lambdaClient = new LambdaClient({ region: 'us-east-1', endpoint: server.endpoint, credentials: credentials() });
    cleanups.push(() => {
      agentClient.destroy();
      lambdaClient.destroy();
    });
    return {
      server,
      agentClient,
      lambdaClient,
      migrate: async (more = {}) => {
        const agent = await fromBedrockAgent({
          agentId: options.agentId ?? 'OPSAGENT01',
          client: agentClient,
          lambdaClient,
          knowledgeBaseClientConfig: { region: 'us-east-1', endpoint: server.endpoint, credentials: credentials() },
          ...more,
          agentOptions: {
            clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: credentials() },
            retry: { baseDelayMs: 1, maxDelayMs: 5 },
            ...more.agentOptions,
          },
        });
        cleanups.push(() => agent.close());
        return agent;
      },
    };
  };
}

/** A model turn calling one tool. */
export const callTool = (name: string, input: Record<string, unknown>): ScriptTurn => ({
  content: [{ toolUse: { toolUseId: 'auto', name, input } }],
});
export const answer = (text: string): ScriptTurn => ({ content: [{ text }] });

const STATUS_API_YAML = `openapi: 3.0.0
info:
  title: Status API
  version: 1.0.0
paths:
  /services/{name}/status:
    get:
      operationId: getServiceStatus
      summary: Current health of a service
      parameters:
        - name: name
          in: path
          required: true
          description: The service name
          schema:
            type: string
        - name: verbose
          in: query
          schema:
            type: boolean
      responses:
        "200":
          description: The status
  /incidents:
    post:
      operationId: create-incident
      description: Open an incident
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Incident'
      responses:
        "200":
          description: The incident
components:
  schemas:
    Severity:
      type: string
      enum: [low, high]
    Incident:
      type: object
      required: [title]
      properties:
        title:
          type: string
          description: One line
        severity:
          $ref: '#/components/schemas/Severity'
        tags:
          type: array
          items:
            type: string
`;

/** The agent most tests migrate: a function group, an OpenAPI group (YAML, with $refs) and a RETURN_CONTROL group. */
export const OPS_AGENT: LocalAgentDefinition = {
  agent: {
    agentId: 'OPSAGENT01',
    agentName: 'ops-assistant',
    instruction: 'You are an infrastructure assistant. Use the action groups to answer with facts.',
    foundationModel: 'us.amazon.nova-pro-v1:0',
    idleSessionTTLInSeconds: 900,
  },
  actionGroups: [
    {
      actionGroupId: 'FUNCGROUP1',
      actionGroupName: 'ecs',
      actionGroupExecutor: { lambda: 'arn:aws:lambda:us-east-1:123456789012:function:ecs-actions' },
      functionSchema: {
        functions: [
          {
            name: 'count_failed_tasks',
            description: 'Count the ECS tasks that failed in a time window',
            parameters: {
              minutes: { type: 'integer', description: 'Window length in minutes', required: true },
              cluster: { type: 'string', description: 'Cluster name', required: false },
            },
          },
          {
            name: 'restart-service',
            description: 'Restart an ECS service',
            parameters: { service: { type: 'string', required: true }, force: { type: 'boolean', required: false } },
            requireConfirmation: 'ENABLED',
          },
        ],
      },
    },
    {
      actionGroupId: 'APIGROUP01',
      actionGroupName: 'status-api',
      actionGroupExecutor: { lambda: 'arn:aws:lambda:us-east-1:123456789012:function:status-api' },
      apiSchema: { payload: STATUS_API_YAML },
    },
    {
      actionGroupId: 'RETURNCTL1',
      actionGroupName: 'paging',
      actionGroupExecutor: { customControl: 'RETURN_CONTROL' },
      functionSchema: {
        functions: [
          {
            name: 'page_oncall',
            description: 'Page the on-call engineer of a team',
            parameters: { team: { type: 'string', required: true } },
          },
        ],
      },
    },
  ],
  aliases: [{ agentAliasId: 'PRODALIAS1', agentAliasName: 'prod' }],
};

/** Lambda handlers that record their events and answer in the Agents response format. */
export function recordingHandlers() {
  const events: LambdaEvent[] = [];
  const ecs = (raw: unknown) => {
    const event = raw as LambdaEvent;
    events.push(event);
    return {
      messageVersion: '1.0',
      response: {
        actionGroup: event.actionGroup,
        function: event.function,
        functionResponse: { responseBody: { TEXT: { body: `7 tasks failed (${JSON.stringify(event.parameters)})` } } },
      },
    };
  };
  const status = (raw: unknown) => {
    const event = raw as LambdaEvent;
    events.push(event);
    return {
      messageVersion: '1.0',
      response: {
        actionGroup: event.actionGroup,
        apiPath: event.apiPath,
        httpMethod: event.httpMethod,
        httpStatusCode: 200,
        responseBody: { 'application/json': { body: JSON.stringify({ status: 'degraded', path: event.apiPath }) } },
      },
    };
  };
  return { events, lambdaFunctions: { 'ecs-actions': { handler: ecs }, 'status-api': { handler: status } } };
}
