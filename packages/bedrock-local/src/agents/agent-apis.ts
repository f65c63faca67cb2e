import { serviceErrors } from '../errors.js';
import { LambdaRegistry, type LocalLambdaFunction } from '../lambda/lambda-functions.js';
import { INVOKE_ROUTE, serveInvoke } from '../lambda/serve-invoke.js';
import { AgentCatalog, type LocalAgentDefinition } from './agent-definition.js';
import { matchAgentOperation, serveAgentOperation } from './serve-agent-api.js';

/** What bedrock-local serves besides Bedrock Runtime for a migration off Bedrock Agents. */
export interface AgentApiOptions {
  /** Agent versions for the `bedrock-agent` read calls: definitions, or paths of JSON files holding them. */
  agents?: (LocalAgentDefinition | string)[];
  /** Lambda functions for Invoke, by function name: a handler module path, or its settings. */
  lambdaFunctions?: Record<string, LocalLambdaFunction | string>;
}

export interface AgentApiReply {
  route: 'bedrock-agent' | 'lambda';
  /** The operation (bedrock-agent) or the function name (lambda), for the request log. */
  target: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The bedrock-agent and Lambda operations of one server, checked at startup. */
export class AgentApis {
  private readonly catalog: AgentCatalog;
  private readonly lambdas: LambdaRegistry;

  constructor(
    options: AgentApiOptions,
    private readonly region = 'us-east-1',
  ) {
    this.catalog = new AgentCatalog(options.agents ?? [], region);
    this.lambdas = new LambdaRegistry(options.lambdaFunctions ?? {});
  }

  /** Answers the request if it is one of these operations; undefined otherwise. Errors are thrown as service errors. */
  async serve(
    method: string,
    url: string,
    headers: Record<string, string | string[] | undefined>,
    payload: Buffer,
  ): Promise<AgentApiReply | undefined> {
    const [path = '', search = ''] = url.split('?');
    const invoke = method === 'POST' ? INVOKE_ROUTE.exec(path) : null;
    if (invoke) {
      const reply = await serveInvoke(this.lambdas, invoke[1] ?? '', new URLSearchParams(search), headers, payload, this.region);
      return { route: 'lambda', target: invoke[1] ?? '', ...reply };
    }
    const match = matchAgentOperation(method, path);
    if (!match) return undefined;
    let body: unknown = {};
    if (payload.length > 0) {
      try {
        body = JSON.parse(payload.toString('utf8'));
      } catch {
        throw serviceErrors.serialization('The request body is not valid JSON.');
      }
    }
    const response = JSON.stringify(serveAgentOperation(this.catalog, match.operation, match.params, body));
    return {
      route: 'bedrock-agent',
      target: match.operation,
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: response,
    };
  }
}
