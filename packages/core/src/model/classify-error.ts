/** How the loop treats an error from a model call. */
export interface ErrorClass {
  /** The service exception name or network error code. */
  code: string;
  status: number | undefined;
  message: string;
  /** `transient` errors are retried with backoff; `tool-use` ones are Nova's broken tool calls, retried greedily. */
  kind: 'transient' | 'tool-use' | 'context-window' | 'fatal';
}

const TRANSIENT_EXCEPTIONS = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelNotReadyException',
  'ModelStreamErrorException',
  'throttlingException',
  'serviceUnavailableException',
  'internalServerException',
  'modelStreamErrorException',
  // The SDK's name for an HTTP/2 request whose connection died before any response.
  'TimeoutError',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_INVALID_SESSION',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

// Nova's tool-call failure: 424 ModelErrorException (Converse) or modelStreamErrorException (stream).
const NOVA_TOOL_USE = /invalid sequence as part of ToolUse/i;
const CONTEXT_WINDOW = /input is too long|context window|too many input tokens/i;
// Messages the SDK and Node give for connections and event streams that end early.
const CUT_SHORT = /socket hang up|premature close|aborted|ended before|truncated|incomplete|checksum|prelude|connection.*(closed|reset)/i;

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $fault?: unknown;
}

export function classifyError(error: unknown): ErrorClass {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkLikeError;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const netCode = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const code = netCode && name === 'Error' ? netCode : name;
  const base = { code, status, message };

  if (NOVA_TOOL_USE.test(message)) return { ...base, kind: 'tool-use' };
  if (name === 'ValidationException' && CONTEXT_WINDOW.test(message)) return { ...base, kind: 'context-window' };
  if (TRANSIENT_EXCEPTIONS.has(name)) return { ...base, kind: 'transient' };
  if (netCode && NETWORK_CODES.has(netCode)) return { ...base, kind: 'transient' };
  if (status !== undefined && (status === 429 || status >= 500)) return { ...base, kind: 'transient' };
  // An error without an HTTP status never reached the service's error handling: the connection or
  // the event stream broke, which a fresh attempt usually fixes.
  if (status === undefined && e.$fault === undefined && CUT_SHORT.test(message)) return { ...base, kind: 'transient' };
  return { ...base, kind: 'fatal' };
}
