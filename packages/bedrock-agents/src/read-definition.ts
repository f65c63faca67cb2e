import {
  GetAgentActionGroupCommand,
  GetAgentAliasCommand,
  GetAgentCommand,
  GetAgentVersionCommand,
  ListAgentActionGroupsCommand,
  ListAgentKnowledgeBasesCommand,
  type AgentActionGroup,
  type AgentKnowledgeBaseSummary,
  type BedrockAgentClient,
  type PromptOverrideConfiguration,
  type GuardrailConfiguration,
  type MemoryConfiguration,
} from '@aws-sdk/client-bedrock-agent';
import { BedrockAgentsError } from './errors.js';

/** What a migration reads of one agent version: the fields GetAgent and GetAgentVersion share. */
export interface AgentDefinition {
  agentId: string;
  agentName: string;
  agentVersion: string;
  agentAliasId: string | undefined;
  instruction: string | undefined;
  foundationModel: string | undefined;
  idleSessionTTLInSeconds: number | undefined;
  description: string | undefined;
  orchestrationType: string | undefined;
  agentCollaboration: string | undefined;
  promptOverrideConfiguration: PromptOverrideConfiguration | undefined;
  guardrailConfiguration: GuardrailConfiguration | undefined;
  memoryConfiguration: MemoryConfiguration | undefined;
  actionGroups: AgentActionGroup[];
  knowledgeBases: AgentKnowledgeBaseSummary[];
}

type Client = Pick<BedrockAgentClient, 'send'>;

/**
 * Reads an agent version with the bedrock-agent read calls: the alias's version (GetAgentAlias), the
 * agent (GetAgent for DRAFT, GetAgentVersion for a numbered version), every action group in full
 * (ListAgentActionGroups, then GetAgentActionGroup each) and every knowledge-base association.
 */
export async function readAgentDefinition(
  client: Client,
  target: { agentId: string; agentVersion?: string; agentAliasId?: string },
): Promise<AgentDefinition> {
  const { agentId, agentAliasId } = target;
  let agentVersion = target.agentVersion ?? 'DRAFT';
  if (agentAliasId !== undefined) {
    const { agentAlias } = await call(
      () => client.send(new GetAgentAliasCommand({ agentId, agentAliasId })),
      `alias ${agentAliasId} of agent ${agentId}`,
    );
    const routed = agentAlias?.routingConfiguration?.[0]?.agentVersion;
    if (routed === undefined) {
      throw new BedrockAgentsError(
        'AGENT_READ_FAILED',
        `Alias ${agentAliasId} of agent ${agentId} routes to no agent version (it may use provisioned throughput only). Pass agentVersion instead.`,
      );
    }
    agentVersion = routed;
  }
  const what = `agent ${agentId} version ${agentVersion}`;
  const agent =
    agentVersion === 'DRAFT'
      ? (await call(() => client.send(new GetAgentCommand({ agentId })), what)).agent
      : (await call(() => client.send(new GetAgentVersionCommand({ agentId, agentVersion })), what)).agentVersion;
  if (!agent) throw new BedrockAgentsError('AGENT_READ_FAILED', `GetAgent returned no agent for ${what}. Check the agent id.`);

  const summaries = [];
  let nextToken: string | undefined;
  do {
    const page = await call(
      () => client.send(new ListAgentActionGroupsCommand({ agentId, agentVersion, nextToken })),
      `the action groups of ${what}`,
    );
    summaries.push(...(page.actionGroupSummaries ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const actionGroups: AgentActionGroup[] = [];
  for (const summary of summaries) {
    const actionGroupId = summary.actionGroupId ?? '';
    const { agentActionGroup } = await call(
      () => client.send(new GetAgentActionGroupCommand({ agentId, agentVersion, actionGroupId })),
      `action group ${summary.actionGroupName ?? actionGroupId} of ${what}`,
    );
    if (agentActionGroup) actionGroups.push(agentActionGroup);
  }

  const knowledgeBases: AgentKnowledgeBaseSummary[] = [];
  do {
    const page = await call(
      () => client.send(new ListAgentKnowledgeBasesCommand({ agentId, agentVersion, nextToken })),
      `the knowledge bases of ${what}`,
    );
    knowledgeBases.push(...(page.agentKnowledgeBaseSummaries ?? []));
    nextToken = page.nextToken;
  } while (nextToken);

  const fields = agent as typeof agent & { orchestrationType?: string };
  return {
    agentId,
    agentName: agent.agentName ?? agentId,
    agentVersion,
    agentAliasId,
    instruction: agent.instruction,
    foundationModel: agent.foundationModel,
    idleSessionTTLInSeconds: agent.idleSessionTTLInSeconds,
    description: agent.description,
    orchestrationType: fields.orchestrationType,
    agentCollaboration: agent.agentCollaboration,
    promptOverrideConfiguration: agent.promptOverrideConfiguration,
    guardrailConfiguration: agent.guardrailConfiguration,
    memoryConfiguration: agent.memoryConfiguration,
    actionGroups,
    knowledgeBases,
  };
}

async function call<T>(send: () => Promise<T>, what: string): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const message = error instanceof Error ? error.message : String(error);
    if (name === 'ResourceNotFoundException') {
      throw new BedrockAgentsError(
        'AGENT_NOT_FOUND',
        `Bedrock Agents has no ${what} (${message}). Check the id, the version or alias, and the client's region and account.`,
        { cause: error },
      );
    }
    throw new BedrockAgentsError(
      'AGENT_READ_FAILED',
      `Reading ${what} failed (${name}: ${message}). Check the credentials' bedrock:GetAgent* and bedrock:ListAgent* permissions and the network, then try again.`,
      { cause: error },
    );
  }
}
