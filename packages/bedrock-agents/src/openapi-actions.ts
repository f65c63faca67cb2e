import type { AgentActionGroup } from '@aws-sdk/client-bedrock-agent';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod/v4';
import { BedrockAgentsError } from './errors.js';
import { jsonSchemaToZod, SchemaProblem, type ZodType } from './json-schema-to-zod.js';

/** One operation of an OpenAPI action group, ready to become a tool. */
export interface ApiAction {
  kind: 'api';
  actionGroup: string;
  apiPath: string;
  httpMethod: string;
  operationId: string | undefined;
  description: string;
  input: z.ZodObject;
  /** Path, query and header parameters with their JSON type, in the order the event lists them. */
  parameters: { name: string; type: string }[];
  /** The JSON body: its content type, the input property holding it, and each top-level property's type. */
  body: { contentType: string; property: string; types: Record<string, string> } | undefined;
  requireConfirmation: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
type Doc = Record<string, unknown>;

/** Every operation of an OpenAPI 3 document (JSON or YAML text), `$ref`s resolved. */
export function apiActions(group: AgentActionGroup, documentText: string): ApiAction[] {
  const actionGroup = group.actionGroupName ?? '';
  const fail = (detail: string, cause?: unknown): never => {
    throw new BedrockAgentsError('AGENT_SCHEMA_INVALID', `Action group ${actionGroup}: ${detail}. Fix its API schema and try again.`, {
      cause,
      actionGroupName: actionGroup,
    });
  };
  let doc: unknown;
  try {
    doc = documentText.trimStart().startsWith('{') ? JSON.parse(documentText) : parseYaml(documentText);
  } catch (error) {
    fail(`the API schema is neither JSON nor YAML (${(error as Error).message})`, error);
  }
  if (!isDoc(doc) || !isDoc(doc.paths)) return fail('the API schema has no "paths" object (is it an OpenAPI 3 document?)');
  const root = doc;
  const actions: ApiAction[] = [];
  try {
    for (const [apiPath, rawItem] of Object.entries(doc.paths as Doc)) {
      const item = resolve(root, rawItem, [`paths.${apiPath}`]);
      if (!isDoc(item)) continue;
      const shared = Array.isArray(item.parameters) ? item.parameters : [];
      for (const method of METHODS) {
        const operation = resolve(root, item[method], [`${method} ${apiPath}`]);
        if (!isDoc(operation)) continue;
        actions.push(operationAction(root, actionGroup, apiPath, method, operation, shared));
      }
    }
  } catch (error) {
    if (error instanceof SchemaProblem) fail(error.message, error);
    throw error;
  }
  return actions;
}

function operationAction(root: Doc, actionGroup: string, apiPath: string, method: string, operation: Doc, shared: unknown[]): ApiAction {
  const where = `${method.toUpperCase()} ${apiPath}`;
  const shape: Record<string, ZodType> = {};
  const parameters: { name: string; type: string }[] = [];
  const byName = new Map<string, Doc>();
  for (const raw of [...shared, ...(Array.isArray(operation.parameters) ? operation.parameters : [])]) {
    const parameter = resolve(root, raw, [where]);
    if (isDoc(parameter) && typeof parameter.name === 'string') byName.set(`${String(parameter.in)}:${parameter.name}`, parameter);
  }
  for (const parameter of byName.values()) {
    const name = parameter.name as string;
    if (parameter.in === 'cookie') throw new SchemaProblem(`${where} has a cookie parameter ${name}, which Agents does not send`);
    const schema = resolve(root, parameter.schema ?? { type: 'string' }, [where, name]);
    let member = jsonSchemaToZod(schema, `${where} parameter ${name}`);
    if (typeof parameter.description === 'string' && parameter.description !== '') member = member.describe(parameter.description);
    shape[name] = parameter.required === true || parameter.in === 'path' ? member : member.optional();
    parameters.push({ name, type: jsonType(schema) });
  }
  let body: ApiAction['body'];
  const requestBody = resolve(root, operation.requestBody, [where, 'requestBody']);
  if (isDoc(requestBody) && isDoc(requestBody.content)) {
    const [contentType, media] = Object.entries(requestBody.content)[0] ?? [];
    const schema = isDoc(media) ? resolve(root, media.schema, [where, 'requestBody']) : undefined;
    if (contentType !== undefined && isDoc(schema)) {
      const property = shape.body === undefined ? 'body' : 'requestBody';
      let member: ZodType = jsonSchemaToZod({ type: 'object', ...schema }, `${where} requestBody`);
      if (typeof requestBody.description === 'string' && requestBody.description !== '') member = member.describe(requestBody.description);
      shape[property] = requestBody.required === true ? member : member.optional();
      const types: Record<string, string> = {};
      for (const [name, propertySchema] of Object.entries(isDoc(schema.properties) ? schema.properties : {}))
        types[name] = jsonType(propertySchema);
      body = { contentType, property, types };
    }
  }
  const description = [operation.summary, operation.description].filter((text) => typeof text === 'string' && text !== '').join(' — ');
  return {
    kind: 'api',
    actionGroup,
    apiPath,
    httpMethod: method.toUpperCase(),
    operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined,
    description: description || `${where} (action group ${actionGroup})`,
    input: z.object(shape),
    parameters,
    body,
    requireConfirmation: operation['x-requireConfirmation'] === 'ENABLED',
  };
}

/** Inlines every local `$ref` (`#/components/...`) in `value`; a cycle or an outside reference is a problem. */
function resolve(root: Doc, value: unknown, trail: string[], seen: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(root, item, trail, seen));
  if (!isDoc(value)) return value;
  if (typeof value.$ref === 'string') {
    const ref = value.$ref;
    if (!ref.startsWith('#/'))
      throw new SchemaProblem(`${trail.join(' ')} refers to ${ref}; only references inside the document (#/...) can be resolved`);
    if (seen.includes(ref)) {
      throw new SchemaProblem(`${trail.join(' ')} is recursive through ${ref}, which a tool input cannot express; flatten the schema`);
    }
    let target: unknown = root;
    for (const segment of ref.slice(2).split('/')) {
      const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
      target = isDoc(target) ? target[key] : undefined;
    }
    if (target === undefined) throw new SchemaProblem(`${trail.join(' ')} refers to ${ref}, which the document does not define`);
    return resolve(root, target, trail, [...seen, ref]);
  }
  const out: Doc = {};
  for (const [key, member] of Object.entries(value)) out[key] = resolve(root, member, trail, seen);
  return out;
}

function jsonType(schema: unknown): string {
  if (!isDoc(schema)) return 'string';
  if (typeof schema.type === 'string') return schema.type;
  if (isDoc(schema.properties)) return 'object';
  return 'string';
}

function isDoc(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
