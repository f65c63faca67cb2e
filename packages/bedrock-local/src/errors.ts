/**
 * An error that bedrock-local answers over HTTP exactly as Bedrock would: status code, the
 * `x-amzn-errortype` header and a `{"message": …}` body. The AWS SDK turns it into the matching
 * exception class (ValidationException, ThrottlingException, …) from the header.
 */
export class BedrockServiceError extends Error {
  readonly code: string;
  constructor(
    readonly status: number,
    /** The Bedrock exception name, e.g. `ValidationException`. */
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
    this.code = type;
  }
}

export const validationError = (message: string) => new BedrockServiceError(400, 'ValidationException', message);

export const NOVA_TOOL_USE_ERROR =
  'The model produced an invalid sequence as part of ToolUse. Please refer to the model tool use troubleshooting guide.';
/** The same failure as Nova reports it inside a ConverseStream. */
export const NOVA_TOOL_USE_STREAM_ERROR =
  'Model produced invalid sequence as part of ToolUse. Please refer to the model tool use troubleshooting guide.';

/** The service's texts, shared by HTTP errors and the exception frames of a stream. */
export const SERVICE_MESSAGES = {
  throttling: 'Too many requests, please wait before trying again.',
  serviceUnavailable: 'Bedrock is unable to process your request.',
  internal: 'The server encountered an internal error while processing the request.',
} as const;

export const serviceErrors = {
  throttling: () => new BedrockServiceError(429, 'ThrottlingException', SERVICE_MESSAGES.throttling),
  serviceUnavailable: () => new BedrockServiceError(503, 'ServiceUnavailableException', SERVICE_MESSAGES.serviceUnavailable),
  internal: () => new BedrockServiceError(500, 'InternalServerException', SERVICE_MESSAGES.internal),
  modelToolUse: () => new BedrockServiceError(424, 'ModelErrorException', NOVA_TOOL_USE_ERROR),
  missingAuth: () => new BedrockServiceError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
  badAuth: () =>
    new BedrockServiceError(
      403,
      'IncompleteSignatureException',
      'Authorization header requires an AWS Signature Version 4 signature or a Bedrock API key (Bearer token).',
    ),
  unknownOperation: () => new BedrockServiceError(404, 'UnknownOperationException', 'UnknownOperationException'),
  serialization: (detail: string) => new BedrockServiceError(400, 'SerializationException', detail),
} as const;

/** Thrown at startup for a script that cannot be served; `code` says which rule it broke. */
export class LocalBedrockScriptError extends Error {
  readonly code = 'SCRIPT_INVALID';
  constructor(message: string) {
    super(`bedrock-local script: ${message}`);
    this.name = 'LocalBedrockScriptError';
  }
}
