import { BedrockServiceError, validationError } from '../errors.js';
import { isObject, type JsonObject } from '../wire-types.js';
import type { AgentCatalog, ServedAgent } from './agent-definition.js';

// The `bedrock-agent` read operations a migration needs, at the paths the SDK's serializers use
// (every one ends with a slash). Lists page with maxResults / nextToken in the POST body.
const ROUTES: { method: string; pattern: RegExp; operation: Operation }[] = [
  { method: 'GET', pattern: /^\/agents\/([^/]*)\/$/, operation: 'GetAgent' },
  { method: 'GET', pattern: /^\/agents\/([^/]*)\/agentversions\/([^/]*)\/$/, operation: 'GetAgentVersion' },
  { method: 'GET', pattern: /^\/agents\/([^/]*)\/agentaliases\/([^/]*)\/$/, operation: 'GetAgentAlias' },
  { method: 'POST', pattern: /^\/agents\/([^/]*)\/agentversions\/([^/]*)\/actiongroups\/$/, operation: 'ListAgentActionGroups' },
  { method: 'GET', pattern: /^\/agents\/([^/]*)\/agentversions\/([^/]*)\/actiongroups\/([^/]*)\/$/, operation: 'GetAgentActionGroup' },
  { method: 'POST', pattern: /^\/agents\/([^/]*)\/agentversions\/([^/]*)\/knowledgebases\/$/, operation: 'ListAgentKnowledgeBases' },
];

export type Operation =
  'GetAgent' | 'GetAgentVersion' | 'GetAgentAlias' | 'ListAgentActionGroups' | 'GetAgentActionGroup' | 'ListAgentKnowledgeBases';

const NOT_FOUND = "Failed to retrieve resource because it doesn't exist. Retry the request with a different resource identifier.";
const ID = /^[0-9a-zA-Z]{10}$/;
const VERSION = /^(DRAFT|[0-9]{1,5})$/;

/** The operation a request is for, or undefined when it is not a `bedrock-agent` read call. */
export function matchAgentOperation(method: string, path: string): { operation: Operation; params: string[] } | undefined {
  for (const route of ROUTES) {
    const match = route.method === method ? route.pattern.exec(path) : null;
    if (match) return { operation: route.operation, params: match.slice(1).map(decode) };
  }
  return undefined;
}

/** Answers one `bedrock-agent` read call from the catalog, or throws the service's error. */
export function serveAgentOperation(catalog: AgentCatalog, operation: Operation, params: string[], body: unknown): JsonObject {
  const [agentId = '', second = '', third = ''] = params;
  checkPattern(agentId, 'agentId', ID);
  if (operation === 'GetAgent') return { agent: found(catalog.latest(agentId)).agent };
  if (operation === 'GetAgentAlias') {
    checkPattern(second, 'agentAliasId', ID);
    return { agentAlias: found(catalog.alias(agentId, second)) };
  }
  checkPattern(second, 'agentVersion', VERSION);
  const served = found(catalog.version(agentId, second));
  switch (operation) {
    case 'GetAgentVersion': {
      const { agentVersion, ...rest } = served.agent;
      return { agentVersion: { ...rest, version: agentVersion ?? null } };
    }
    case 'GetAgentActionGroup': {
      checkPattern(third, 'actionGroupId', ID);
      return { agentActionGroup: found(served.actionGroups.find((group) => group.actionGroupId === third)) };
    }
    case 'ListAgentActionGroups':
      return page(body, 'actionGroupSummaries', summaries(served), 'ListAgentActionGroups');
    case 'ListAgentKnowledgeBases':
      return page(body, 'agentKnowledgeBaseSummaries', served.knowledgeBases, 'ListAgentKnowledgeBases');
  }
  throw new BedrockServiceError(404, 'UnknownOperationException', 'UnknownOperationException');
}

function summaries(served: ServedAgent): JsonObject[] {
  return served.actionGroups.map((group) => {
    const summary: JsonObject = {
      actionGroupId: group.actionGroupId ?? null,
      actionGroupName: group.actionGroupName ?? null,
      actionGroupState: group.actionGroupState ?? null,
      updatedAt: group.updatedAt ?? null,
    };
    if (typeof group.description === 'string') summary.description = group.description;
    return summary;
  });
}

function page(body: unknown, key: string, items: JsonObject[], operation: string): JsonObject {
  const request = isObject(body) ? body : {};
  const size = request.maxResults === undefined ? 1000 : request.maxResults;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 1000) {
    throw validationError(
      `1 validation error detected: Value '${String(size)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000`,
    );
  }
  let offset = 0;
  if (request.nextToken !== undefined) {
    const decoded =
      typeof request.nextToken === 'string' ? /^(\w+):(\d+)$/.exec(Buffer.from(request.nextToken, 'base64url').toString()) : null;
    if (!decoded || decoded[1] !== operation) throw validationError('The nextToken is invalid. Start again without nextToken.');
    offset = Number(decoded[2]);
  }
  const response: JsonObject = { [key]: items.slice(offset, offset + size) };
  if (offset + size < items.length) response.nextToken = Buffer.from(`${operation}:${offset + size}`).toString('base64url');
  return response;
}

function found<T>(value: T | undefined): T {
  if (value === undefined) throw new BedrockServiceError(404, 'ResourceNotFoundException', NOT_FOUND);
  return value;
}

function checkPattern(value: string, field: string, pattern: RegExp): void {
  if (!pattern.test(value)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern.source}`,
    );
  }
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
