import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isObject, type JsonObject } from '../wire-types.js';

/**
 * One version of a Bedrock agent, written as the `bedrock-agent` read calls return it: `agent` is
 * GetAgent's (or GetAgentVersion's) `agent`, each of `actionGroups` is GetAgentActionGroup's
 * `agentActionGroup`, each of `knowledgeBases` is a ListAgentKnowledgeBases summary, each of `aliases`
 * is GetAgentAlias's `agentAlias`. Fields the service always sets (ARNs, states, timestamps) may be
 * left out; an action group's `apiSchema.payload` may be an object instead of the JSON/YAML string.
 */
export interface LocalAgentDefinition {
  agent: JsonObject;
  actionGroups?: JsonObject[];
  knowledgeBases?: JsonObject[];
  aliases?: JsonObject[];
}

/** Thrown at startup for an agent definition that cannot be served; the message names the field. */
export class LocalBedrockAgentError extends Error {
  readonly code = 'AGENT_DEFINITION_INVALID';
  constructor(where: string, message: string) {
    super(`bedrock-local agent definition ${where}: ${message}`);
    this.name = 'LocalBedrockAgentError';
  }
}

export const ACCOUNT = '123456789012';
const ID = /^[0-9a-zA-Z]{10}$/;

/** A served agent version, completed with what the service fills in. */
export interface ServedAgent {
  agentId: string;
  agentVersion: string;
  agent: JsonObject;
  actionGroups: JsonObject[];
  knowledgeBases: JsonObject[];
  aliases: JsonObject[];
}

/** Every agent version bedrock-local serves, by agent id and version. */
export class AgentCatalog {
  private readonly versions = new Map<string, Map<string, ServedAgent>>();
  private readonly aliases = new Map<string, Map<string, JsonObject>>();

  constructor(sources: readonly (LocalAgentDefinition | string)[], region = 'us-east-1') {
    sources.forEach((source, i) => {
      const where = typeof source === 'string' ? source : `#${i}`;
      const definition = typeof source === 'string' ? readDefinition(source) : source;
      const served = complete(definition, where, region);
      const byVersion = this.versions.get(served.agentId) ?? new Map<string, ServedAgent>();
      if (byVersion.has(served.agentVersion)) {
        throw new LocalBedrockAgentError(where, `agent ${served.agentId} version ${served.agentVersion} is defined twice.`);
      }
      byVersion.set(served.agentVersion, served);
      this.versions.set(served.agentId, byVersion);
      const byAlias = this.aliases.get(served.agentId) ?? new Map<string, JsonObject>();
      for (const alias of served.aliases) byAlias.set(alias.agentAliasId as string, alias);
      this.aliases.set(served.agentId, byAlias);
    });
  }

  /** The agent as GetAgent returns it: its DRAFT, or else its only (or latest) version. */
  latest(agentId: string): ServedAgent | undefined {
    const byVersion = this.versions.get(agentId);
    if (!byVersion) return undefined;
    return byVersion.get('DRAFT') ?? [...byVersion.values()].at(-1);
  }

  version(agentId: string, agentVersion: string): ServedAgent | undefined {
    return this.versions.get(agentId)?.get(agentVersion);
  }

  alias(agentId: string, agentAliasId: string): JsonObject | undefined {
    return this.aliases.get(agentId)?.get(agentAliasId);
  }
}

function readDefinition(path: string): LocalAgentDefinition {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LocalBedrockAgentError(path, `cannot be read as JSON (${(error as Error).message}).`);
  }
  if (!isObject(value)) throw new LocalBedrockAgentError(path, 'must be a JSON object with "agent".');
  // An apiSchema payload may name a file beside the definition: { "file": "openapi.json" }.
  for (const group of Array.isArray(value.actionGroups) ? value.actionGroups : []) {
    const schema = isObject(group) && isObject(group.apiSchema) ? group.apiSchema : undefined;
    if (schema && isObject(schema.payload) && typeof schema.payload.file === 'string') {
      schema.payload = readFileSync(resolve(dirname(path), schema.payload.file), 'utf8');
    }
  }
  return value as unknown as LocalAgentDefinition;
}

function complete(definition: LocalAgentDefinition, where: string, region: string): ServedAgent {
  if (!isObject(definition) || !isObject(definition.agent)) throw new LocalBedrockAgentError(where, 'needs an "agent" object.');
  const source = definition.agent;
  const agentId = source.agentId;
  if (typeof agentId !== 'string' || !ID.test(agentId)) {
    throw new LocalBedrockAgentError(
      where,
      `agent.agentId must be 10 letters and digits, as Bedrock makes them (got ${JSON.stringify(agentId)}).`,
    );
  }
  if (typeof source.agentName !== 'string' || source.agentName === '')
    throw new LocalBedrockAgentError(where, 'agent.agentName is required.');
  const agentVersion = typeof source.agentVersion === 'string' ? source.agentVersion : 'DRAFT';
  const now = new Date(0).toISOString();
  const agent: JsonObject = {
    agentArn: `arn:aws:bedrock:${region}:${ACCOUNT}:agent/${agentId}`,
    agentStatus: 'PREPARED',
    agentResourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/AmazonBedrockExecutionRoleForAgents_${agentId}`,
    idleSessionTTLInSeconds: 600,
    createdAt: now,
    updatedAt: now,
    preparedAt: now,
    ...source,
    agentVersion,
  };
  const actionGroups = (definition.actionGroups ?? []).map((group, i) => {
    const at = `actionGroups[${i}]`;
    if (!isObject(group)) throw new LocalBedrockAgentError(where, `${at} must be an object.`);
    if (typeof group.actionGroupId !== 'string' || !ID.test(group.actionGroupId)) {
      throw new LocalBedrockAgentError(
        where,
        `${at}.actionGroupId must be 10 letters and digits (got ${JSON.stringify(group.actionGroupId)}).`,
      );
    }
    if (typeof group.actionGroupName !== 'string' || group.actionGroupName === '') {
      throw new LocalBedrockAgentError(where, `${at}.actionGroupName is required.`);
    }
    const completed: JsonObject = { actionGroupState: 'ENABLED', createdAt: now, updatedAt: now, ...group, agentId, agentVersion };
    if (isObject(group.apiSchema) && isObject(group.apiSchema.payload)) {
      completed.apiSchema = { payload: JSON.stringify(group.apiSchema.payload) };
    }
    return completed;
  });
  const knowledgeBases = (definition.knowledgeBases ?? []).map((kb, i) => {
    if (!isObject(kb) || typeof kb.knowledgeBaseId !== 'string' || !ID.test(kb.knowledgeBaseId)) {
      throw new LocalBedrockAgentError(where, `knowledgeBases[${i}].knowledgeBaseId must be 10 letters and digits.`);
    }
    return { knowledgeBaseState: 'ENABLED', updatedAt: now, ...kb };
  });
  const aliases = (definition.aliases ?? []).map((alias, i) => {
    if (!isObject(alias) || typeof alias.agentAliasId !== 'string' || !ID.test(alias.agentAliasId)) {
      throw new LocalBedrockAgentError(where, `aliases[${i}].agentAliasId must be 10 letters and digits.`);
    }
    return {
      agentAliasName: alias.agentAliasId,
      agentAliasArn: `arn:aws:bedrock:${region}:${ACCOUNT}:agent-alias/${agentId}/${alias.agentAliasId}`,
      agentAliasStatus: 'PREPARED',
      routingConfiguration: [{ agentVersion }],
      createdAt: now,
      updatedAt: now,
      ...alias,
      agentId,
    };
  });
  return { agentId, agentVersion, agent, actionGroups, knowledgeBases, aliases };
}
