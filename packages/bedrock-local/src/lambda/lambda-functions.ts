import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What a local handler gets as its second argument: the parts of Lambda's context a handler reads. */
export interface LocalLambdaContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  getRemainingTimeInMillis(): number;
  callbackWaitsForEmptyEventLoop: boolean;
}

export type LocalLambdaHandler = (event: unknown, context: LocalLambdaContext) => unknown;

/**
 * A local Lambda function: a handler module (`export const handler = async (event) => ...`) or a
 * handler function, and its timeout (Lambda's default: 3 s).
 */
export interface LocalLambdaFunction {
  /** Path of an ES module or CommonJS file exporting the handler. */
  module?: string;
  /** The export to call; default `handler`. */
  export?: string;
  /** A handler function, instead of `module`. */
  handler?: LocalLambdaHandler;
  timeoutMs?: number;
}

/** Thrown at startup for a Lambda function that cannot be served; the message names it. */
export class LocalBedrockLambdaError extends Error {
  readonly code = 'LAMBDA_FUNCTION_INVALID';
  constructor(name: string, message: string) {
    super(`bedrock-local Lambda function ${JSON.stringify(name)}: ${message}`);
    this.name = 'LocalBedrockLambdaError';
  }
}

const NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const DEFAULT_TIMEOUT_MS = 3_000;

export interface RegisteredFunction {
  name: string;
  timeoutMs: number;
  /** Loads the handler once, on the first invocation (as a cold start would). */
  load(): Promise<LocalLambdaHandler>;
}

/** The local functions by name. */
export class LambdaRegistry {
  private readonly functions = new Map<string, RegisteredFunction>();

  constructor(sources: Record<string, LocalLambdaFunction | string>) {
    for (const [name, source] of Object.entries(sources)) {
      if (!NAME.test(name)) throw new LocalBedrockLambdaError(name, 'a function name is 1 to 64 letters, digits, hyphens and underscores.');
      const spec: LocalLambdaFunction = typeof source === 'string' ? { module: source } : source;
      const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      if (!(timeoutMs > 0)) throw new LocalBedrockLambdaError(name, 'timeoutMs must be a positive number of milliseconds.');
      this.functions.set(name, { name, timeoutMs, load: loader(name, spec) });
    }
  }

  get(name: string): RegisteredFunction | undefined {
    return this.functions.get(name);
  }
}

function loader(name: string, spec: LocalLambdaFunction): () => Promise<LocalLambdaHandler> {
  if (typeof spec.handler === 'function') {
    const handler = spec.handler;
    return () => Promise.resolve(handler);
  }
  if (typeof spec.module !== 'string') throw new LocalBedrockLambdaError(name, 'give a handler module path or a handler function.');
  const path = resolve(spec.module);
  if (!existsSync(path)) throw new LocalBedrockLambdaError(name, `the handler module ${path} does not exist.`);
  const exportName = spec.export ?? 'handler';
  let loaded: Promise<LocalLambdaHandler> | undefined;
  return () =>
    (loaded ??= import(pathToFileURL(path).href).then((module: Record<string, unknown>) => {
      const handler = module[exportName] ?? (module.default as Record<string, unknown> | undefined)?.[exportName];
      if (typeof handler !== 'function') {
        throw new LocalBedrockLambdaError(name, `${path} exports no function named ${exportName}.`);
      }
      return handler as LocalLambdaHandler;
    }));
}
