import type { IncomingMessage } from 'node:http';

/**
 * A Bedrock error answer, shaped as the AWS SDK shapes its exceptions (`name` is the exception,
 * `$metadata.httpStatusCode`, `$fault`), so `classifyError` gives it the same code, kind and retry
 * decision on both transports.
 */
export class LeanServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number | undefined; requestId: string | undefined };

  constructor(name: string, message: string, status: number | undefined, requestId: string | undefined) {
    super(message);
    this.name = name;
    this.$fault = status !== undefined && status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, requestId };
  }
}

/** The error of a non-2xx answer: type from `x-amzn-errortype`, then the body's `code` or `__type`, as the SDK reads it. */
export function serviceErrorOf(response: IncomingMessage, body: string): LeanServiceError {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === 'object' && value !== null) parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page): the status decides.
  }
  const header = response.headers['x-amzn-errortype'];
  const raw = (typeof header === 'string' && header) || stringField(parsed, 'code') || stringField(parsed, '__type') || '';
  // "ValidationException:http://internal.amazon.com/coral/…" or "com.amazon.coral#ValidationException"
  const name = raw.split(':')[0]!.split('#').at(-1) || `Http${response.statusCode ?? 0}Error`;
  const message = stringField(parsed, 'message') ?? stringField(parsed, 'Message') ?? (body.slice(0, 200) || name);
  const requestId = response.headers['x-amzn-requestid'];
  return new LeanServiceError(name, message, response.statusCode, typeof requestId === 'string' ? requestId : undefined);
}

/** An exception frame inside a ConverseStream, named as the SDK names it (`modelStreamErrorException` → `ModelStreamErrorException`). */
export function streamExceptionOf(type: string, payload: string): LeanServiceError {
  let message = payload;
  try {
    const value = JSON.parse(payload) as Record<string, unknown>;
    message = stringField(value, 'message') ?? stringField(value, 'Message') ?? payload;
  } catch {
    // The raw payload is the best message there is.
  }
  return new LeanServiceError(type.charAt(0).toUpperCase() + type.slice(1), message, undefined, undefined);
}

const stringField = (value: Record<string, unknown>, key: string): string | undefined =>
  typeof value[key] === 'string' ? value[key] : undefined;
