import { BedrockAgentClient, type AgentActionGroup, type BedrockAgentClientConfig } from '@aws-sdk/client-bedrock-agent';
import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { Agent, tool, type AgentOptions, type InferenceOptions, type Tool } from '@novaloop/core';
import { knowledgeBaseRetrieve, type KnowledgeBaseRetrieveOptions } from '@novaloop/tools';
import { BedrockAgentsError } from './errors.js';
import { functionActions, type FunctionAction } from './function-actions.js';
import { IdleSessionStore } from './idle-session-store.js';
import { invokeAction, type EventAgent } from './lambda-executor.js';
import { agentNotes, SIGNATURE_NOTES, type MigrationNote } from './migration-report.js';
import { apiActions, type ApiAction } from './openapi-actions.js';
import { readAgentDefinition, type AgentDefinition } from './read-definition.js';
import { assignToolNames, novaSafeName } from './tool-names.js';
import { Turns } from './turn-state.js';

export interface FromBedrockAgentOptions {
  agentId: string;
  /** The version to migrate (default `DRAFT`); or give `agentAliasId` to take the version its alias routes to. */
  agentVersion?: string;
  agentAliasId?: string;
  /** A bedrock-agent client (its region and credentials); otherwise one is made from `clientConfig`. */
  client?: Pick<BedrockAgentClient, 'send'>;
  clientConfig?: BedrockAgentClientConfig;
  /** The Lambda client the action groups' functions are invoked with; otherwise one is made from `lambdaClientConfig`. */
  lambdaClient?: Pick<LambdaClient, 'send'>;
  lambdaClientConfig?: LambdaClientConfig;
  /** The bedrock-agent-runtime client the knowledge-base tools call Retrieve with; otherwise one is made from `knowledgeBaseClientConfig`. */
  knowledgeBaseClient?: KnowledgeBaseRetrieveOptions['client'];
  knowledgeBaseClientConfig?: KnowledgeBaseRetrieveOptions['clientConfig'];
  /** Passages each knowledge-base search returns (Retrieve's numberOfResults; default 5). */
  knowledgeBaseResults?: number;
  /**
   * OpenAPI documents (JSON or YAML text, or the parsed object) by action group name, for action
   * groups whose API schema is in S3 (`apiSchema.s3`): novaloop does not read S3.
   */
  apiSchemas?: Record<string, string | object>;
  /** Use this model instead of the agent's foundation model (e.g. an inference profile id). */
  model?: string;
  /** Any other Agent options (memory, inference, clientConfig, maxSteps, ...); they win over what the agent had. */
  agentOptions?: Omit<AgentOptions, 'model' | 'system' | 'tools'>;
  /** More tools, besides the migrated ones. */
  tools?: Tool[];
}

/** How a migrated tool maps back to the Bedrock agent. */
export type MigratedAction =
  | { toolName: string; actionGroup: string; function: string; executionType: 'LAMBDA' | 'RETURN_CONTROL'; lambda?: string }
  | {
      toolName: string;
      actionGroup: string;
      apiPath: string;
      httpMethod: string;
      executionType: 'LAMBDA' | 'RETURN_CONTROL';
      lambda?: string;
    }
  /** A knowledge-base association, searched with Retrieve. */
  | { toolName: string; knowledgeBaseId: string; executionType: 'KNOWLEDGE_BASE' };

/** Where the migrated agent came from. */
export interface BedrockAgentSource {
  agentId: string;
  agentName: string;
  agentVersion: string;
  agentAliasId: string | undefined;
  foundationModel: string | undefined;
  idleSessionTTLInSeconds: number | undefined;
}

/** A novaloop Agent built from a Bedrock agent, with how its tools map back and what was left behind. */
export class MigratedAgent extends Agent {
  constructor(
    options: AgentOptions,
    /** The Bedrock agent it was built from. */
    readonly source: BedrockAgentSource,
    /** One entry per tool that came from an action group. */
    readonly actions: readonly MigratedAction[],
    /** What could not be carried over, and what novaloop does instead. Empty when everything was. */
    readonly migrationReport: readonly MigrationNote[],
    /** Closes what the migration made besides the Bedrock client (the Lambda client it created). */
    private readonly closeOwnClients: () => void = () => {},
  ) {
    super(options);
  }

  /** Closes the clients the agent made (the Bedrock Runtime client and the Lambda client); yours are left alone. */
  override close(): void {
    super.close();
    this.closeOwnClients();
  }
}

/** What invokeAgentStream needs of a migrated agent that is not public. */
export interface MigratedInternals {
  turns: Turns;
  /** Each migrated tool's action group entry and schema-level details, by tool name. */
  actionsByTool: ReadonlyMap<string, { migrated: MigratedAction; action: FunctionAction | ApiAction }>;
}
export const internals = new WeakMap<Agent, MigratedInternals>();

/**
 * Reads a Bedrock agent with the bedrock-agent API and returns a novaloop Agent doing the same job:
 * its instruction as the system prompt, its foundation model, idle-session TTL and orchestration
 * inference settings, one tool per action-group function or API operation (run by the group's
 * Lambda with the Agents event and response format, or returning control), and a
 * `migrationReport` of what could not be carried over.
 */
export async function fromBedrockAgent(options: FromBedrockAgentOptions): Promise<MigratedAgent> {
  checkOptions(options);
  const client = options.client ?? new BedrockAgentClient(options.clientConfig ?? {});
  let definition: AgentDefinition;
  try {
    definition = await readAgentDefinition(client, options);
  } finally {
    // Read once: a client made here has nothing left to do.
    if (!options.client) (client as BedrockAgentClient).destroy();
  }
  const model = options.model ?? definition.foundationModel;
  if (!model) {
    throw new BedrockAgentsError(
      'AGENT_OPTIONS_INVALID',
      `Agent ${definition.agentId} has no foundation model (custom orchestration?). Pass \`model\`, e.g. "us.amazon.nova-pro-v1:0".`,
    );
  }
  const notes = agentNotes(definition);
  const turns = new Turns();
  const eventAgent: EventAgent = {
    name: definition.agentName,
    id: definition.agentId,
    // Agents' test alias: what a Lambda sees when the DRAFT is invoked.
    alias: definition.agentAliasId ?? 'TSTALIASID',
    version: definition.agentVersion,
  };
  let lambda = options.lambdaClient;
  let ownLambda: LambdaClient | undefined;
  const lambdaClient = () => (lambda ??= ownLambda = new LambdaClient(options.lambdaClientConfig ?? {}));

  const planned: { action: FunctionAction | ApiAction; group: AgentActionGroup; name: string }[] = [];
  for (const group of definition.actionGroups) {
    const groupName = group.actionGroupName ?? group.actionGroupId ?? '';
    if (group.parentActionSignature) {
      notes.push({
        feature: `action group ${groupName} (${group.parentActionSignature})`,
        novaloop: SIGNATURE_NOTES[group.parentActionSignature] ?? 'Not carried over.',
      });
      continue;
    }
    if (group.actionGroupState === 'DISABLED') {
      notes.push({ feature: `action group ${groupName} (DISABLED)`, novaloop: 'Left out, as Agents leaves out a disabled action group.' });
      continue;
    }
    const actions = group.functionSchema ? functionActions(group) : apiActions(group, apiDocument(group, options.apiSchemas));
    for (const action of actions) {
      planned.push({
        action,
        group,
        name: action.kind === 'function' ? action.function : (action.operationId ?? `${action.httpMethod}_${action.apiPath}`),
      });
    }
  }
  const names = assignToolNames(planned.map(({ action, name }) => ({ actionGroup: action.actionGroup, name })));
  const tools: Tool[] = [];
  const actions: MigratedAction[] = [];
  const byTool = new Map<string, { migrated: MigratedAction; action: FunctionAction | ApiAction }>();
  planned.forEach(({ action, group }, i) => {
    const toolName = names[i] as string;
    const lambdaArn = group.actionGroupExecutor && 'lambda' in group.actionGroupExecutor ? group.actionGroupExecutor.lambda : undefined;
    const returnControl = group.actionGroupExecutor && 'customControl' in group.actionGroupExecutor;
    if (!lambdaArn && !returnControl) {
      throw new BedrockAgentsError(
        'AGENT_SCHEMA_INVALID',
        `Action group ${action.actionGroup} has no executor (neither a Lambda nor RETURN_CONTROL). Set its actionGroupExecutor.`,
        { actionGroupName: action.actionGroup },
      );
    }
    const where = action.kind === 'function' ? { function: action.function } : { apiPath: action.apiPath, httpMethod: action.httpMethod };
    if (lambdaArn) {
      tools.push(
        tool({
          name: toolName,
          description: action.description,
          input: action.input,
          ...(action.requireConfirmation ? { needsApproval: true } : {}),
          run: async (input, ctx) =>
            invokeAction(
              lambdaClient(),
              lambdaArn,
              eventAgent,
              action,
              input as Record<string, unknown>,
              ctx,
              await turns.get(ctx.runId, ctx.sessionId),
            ),
        }),
      );
      actions.push({ toolName, actionGroup: action.actionGroup, ...where, executionType: 'LAMBDA', lambda: lambdaArn });
      byTool.set(toolName, { migrated: actions.at(-1) as MigratedAction, action });
    } else {
      if (action.requireConfirmation) {
        notes.push({
          feature: `user confirmation of ${toolName} (action group ${action.actionGroup}, RETURN_CONTROL)`,
          novaloop: 'The application already decides on every call of a return-of-control tool; no separate confirmation is asked.',
        });
      }
      tools.push(tool({ name: toolName, description: action.description, input: action.input }));
      actions.push({ toolName, actionGroup: action.actionGroup, ...where, executionType: 'RETURN_CONTROL' });
      byTool.set(toolName, { migrated: actions.at(-1) as MigratedAction, action });
    }
  });
  const used = new Set(tools.map((t) => t.name));
  for (const kb of definition.knowledgeBases) {
    const knowledgeBaseId = kb.knowledgeBaseId ?? '';
    if (kb.knowledgeBaseState === 'DISABLED') {
      notes.push({
        feature: `knowledge base ${knowledgeBaseId} (DISABLED)`,
        novaloop: 'Left out, as Agents leaves out a disabled knowledge base.',
      });
      continue;
    }
    let toolName = novaSafeName(`knowledge_base_${knowledgeBaseId}`);
    for (let n = 2; used.has(toolName); n++) toolName = novaSafeName(`knowledge_base_${knowledgeBaseId}_${n}`);
    used.add(toolName);
    tools.push(
      knowledgeBaseRetrieve({
        knowledgeBaseId,
        name: toolName,
        // The association's description is what Agents tells the model about the knowledge base.
        ...(kb.description ? { description: `Search the knowledge base: ${kb.description}` } : {}),
        ...(options.knowledgeBaseResults !== undefined ? { numberOfResults: options.knowledgeBaseResults } : {}),
        ...(options.knowledgeBaseClient ? { client: options.knowledgeBaseClient } : {}),
        ...(options.knowledgeBaseClientConfig ? { clientConfig: options.knowledgeBaseClientConfig } : {}),
      }),
    );
    actions.push({ toolName, knowledgeBaseId, executionType: 'KNOWLEDGE_BASE' });
  }
  const idleTTL = definition.idleSessionTTLInSeconds;
  if (idleTTL !== undefined && options.agentOptions?.memory !== undefined) {
    notes.push({
      feature: `idleSessionTTLInSeconds ${idleTTL}`,
      novaloop: `Your session store decides how long sessions live: give it a TTL refreshed on use (RedisSessionStore ttlSeconds: ${idleTTL}).`,
    });
  }

  const inference = orchestrationInference(definition);
  const agentOptions: AgentOptions = {
    model,
    ...(definition.instruction ? { system: definition.instruction } : {}),
    tools: [...tools, ...(options.tools ?? [])],
    ...(inference ? { inference } : {}),
    ...(idleTTL !== undefined ? { memory: new IdleSessionStore(idleTTL) } : {}),
    ...options.agentOptions,
  };
  const source: BedrockAgentSource = {
    agentId: definition.agentId,
    agentName: definition.agentName,
    agentVersion: definition.agentVersion,
    agentAliasId: definition.agentAliasId,
    foundationModel: definition.foundationModel,
    idleSessionTTLInSeconds: idleTTL,
  };
  const agent = new MigratedAgent(agentOptions, source, actions, notes, () => ownLambda?.destroy());
  turns.follow(agent);
  internals.set(agent, { turns, actionsByTool: byTool });
  return agent;
}

function checkOptions(options: FromBedrockAgentOptions): void {
  if (typeof options !== 'object' || options === null || typeof options.agentId !== 'string' || options.agentId === '') {
    throw new BedrockAgentsError(
      'AGENT_OPTIONS_INVALID',
      'fromBedrockAgent needs { agentId } (10 letters and digits, from the Bedrock console).',
    );
  }
  if (options.agentVersion !== undefined && options.agentAliasId !== undefined) {
    throw new BedrockAgentsError(
      'AGENT_OPTIONS_INVALID',
      'Give agentVersion or agentAliasId, not both: an alias already names the version it routes to.',
    );
  }
}

function apiDocument(group: AgentActionGroup, given: FromBedrockAgentOptions['apiSchemas']): string {
  const name = group.actionGroupName ?? '';
  const provided = given?.[name];
  if (provided !== undefined) return typeof provided === 'string' ? provided : JSON.stringify(provided);
  const schema = group.apiSchema;
  if (schema && 'payload' in schema && typeof schema.payload === 'string') return schema.payload;
  if (schema && 's3' in schema && schema.s3) {
    throw new BedrockAgentsError(
      'AGENT_SCHEMA_UNAVAILABLE',
      `Action group ${name}'s API schema is in S3 (s3://${schema.s3.s3BucketName ?? '?'}/${schema.s3.s3ObjectKey ?? '?'}), which novaloop does not read. ` +
        `Download it and pass its text as apiSchemas[${JSON.stringify(name)}].`,
      { actionGroupName: name },
    );
  }
  throw new BedrockAgentsError('AGENT_SCHEMA_INVALID', `Action group ${name} has neither a function schema nor an API schema.`, {
    actionGroupName: name,
  });
}

/**
 * The ORCHESTRATION prompt's inference settings when the agent overrode them. Agents' defaults are
 * left behind: novaloop's own for Nova (greedy decoding with tools) keep tool calls well-formed.
 */
function orchestrationInference(definition: AgentDefinition): InferenceOptions | undefined {
  const orchestration = definition.promptOverrideConfiguration?.promptConfigurations?.find(
    (prompt) => prompt.promptType === 'ORCHESTRATION',
  );
  const config = orchestration?.promptCreationMode === 'OVERRIDDEN' ? orchestration.inferenceConfiguration : undefined;
  if (!config) return undefined;
  const inference: InferenceOptions = {};
  if (config.temperature !== undefined) inference.temperature = config.temperature;
  if (config.topP !== undefined) inference.topP = config.topP;
  if (config.maximumLength !== undefined) inference.maxTokens = config.maximumLength;
  if (config.stopSequences?.length) inference.stopSequences = config.stopSequences;
  if (config.topK !== undefined) inference.topK = config.topK;
  return Object.keys(inference).length > 0 ? inference : undefined;
}
