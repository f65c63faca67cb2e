import { randomUUID } from 'node:crypto';
import { BedrockServiceError } from '../errors.js';
import { ACCOUNT } from '../agents/agent-definition.js';
import { LocalBedrockLambdaError, type LambdaRegistry, type LocalLambdaContext, type RegisteredFunction } from './lambda-functions.js';

export const INVOKE_ROUTE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export interface InvokeReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Serves Lambda's Invoke (`POST /2015-03-31/functions/{name}/invocations`) as the service does: the
 * handler's return value as the payload; a handler that throws or times out answers 200 with
 * `X-Amz-Function-Error: Unhandled` and Lambda's error payload. Handlers run in this process.
 */
export async function serveInvoke(
  registry: LambdaRegistry,
  rawName: string,
  query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
  payload: Buffer,
  region: string,
): Promise<InvokeReply> {
  const { name, qualifier } = functionName(rawName, query.get('Qualifier'));
  const fn = registry.get(name);
  const arn = `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;
  if (!fn || (qualifier !== undefined && qualifier !== '$LATEST')) {
    throw new BedrockServiceError(404, 'ResourceNotFoundException', `Function not found: ${arn}${qualifier ? `:${qualifier}` : ''}`);
  }
  const invocationType = String(headers['x-amz-invocation-type'] ?? 'RequestResponse');
  let event: unknown = {};
  if (payload.length > 0) {
    try {
      event = JSON.parse(payload.toString('utf8'));
    } catch (error) {
      throw new BedrockServiceError(
        400,
        'InvalidRequestContentException',
        `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`,
      );
    }
  }
  const requestId = randomUUID();
  const common = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' };
  if (invocationType === 'DryRun') return { status: 204, headers: common, body: '' };
  if (invocationType === 'Event') {
    void run(fn, event, requestId, arn).catch(() => undefined);
    return { status: 202, headers: common, body: '' };
  }
  if (invocationType !== 'RequestResponse') {
    throw new BedrockServiceError(400, 'InvalidParameterValueException', `Unsupported invocation type ${invocationType}`);
  }
  const outcome = await run(fn, event, requestId, arn);
  return {
    status: 200,
    headers: {
      ...common,
      'content-type': 'application/json',
      ...(outcome.error ? { 'x-amz-function-error': 'Unhandled' } : {}),
    },
    body: outcome.body,
  };
}

async function run(fn: RegisteredFunction, event: unknown, requestId: string, arn: string): Promise<{ body: string; error: boolean }> {
  const deadline = Date.now() + fn.timeoutMs;
  const context: LocalLambdaContext = {
    awsRequestId: requestId,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: arn,
    memoryLimitInMB: '128',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    callbackWaitsForEmptyEventLoop: true,
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), fn.timeoutMs);
  });
  try {
    const result = await Promise.race([fn.load().then((handler) => handler(event, context)), timedOut]);
    if (result === 'timeout') {
      return {
        error: true,
        body: JSON.stringify({
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(fn.timeoutMs / 1000).toFixed(2)} seconds`,
        }),
      };
    }
    return { error: false, body: JSON.stringify(result === undefined ? null : result) };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    // Lambda's own error type when the configured handler export is missing.
    const errorType = error instanceof LocalBedrockLambdaError ? 'Runtime.HandlerNotFound' : err.name;
    return {
      error: true,
      body: JSON.stringify({ errorType, errorMessage: err.message, trace: (err.stack ?? '').split('\n') }),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A function name, partial ARN or full ARN, with its qualifier (from the ARN or the query). */
function functionName(raw: string, queryQualifier: string | null): { name: string; qualifier: string | undefined } {
  let value = raw;
  try {
    value = decodeURIComponent(raw);
  } catch {
    // Left as sent: no function has such a name, so it is not found.
  }
  const parts = value.split(':');
  let name = value;
  let qualifier: string | undefined;
  const at = parts.indexOf('function');
  if (at >= 0 && parts[at + 1]) {
    name = parts[at + 1] as string;
    qualifier = parts[at + 2];
  } else if (parts.length === 2) {
    [name = '', qualifier] = parts;
  }
  return { name, qualifier: queryQualifier ?? qualifier };
}
