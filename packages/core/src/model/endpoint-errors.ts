import type { ErrorClass } from './classify-error.js';
import { BedrockRequestError } from '../errors.js';

// Failures that are about where and how the agent connects, not about the request: each says what
// to change. They stay BedrockRequestErrors, so code that branches on that class keeps working.

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The endpoint refused the connection or its host name does not resolve: nothing reached Bedrock. */
export class BedrockUnreachableError extends BedrockRequestError {
  override readonly code = 'BEDROCK_UNREACHABLE';
  /** `host:port` or the host name that could not be reached. */
  readonly endpoint: string;

  constructor(endpoint: string, kind: ErrorClass, attempts: number, cause: unknown) {
    const why =
      kind.code === 'ECONNREFUSED'
        ? 'refused the connection'
        : kind.code === 'ENOTFOUND'
          ? 'does not resolve (DNS)'
          : `failed (${kind.code})`;
    super(
      `The Bedrock endpoint ${endpoint} cannot be reached: it ${why}, ${attempts} attempt(s). ` +
        'Check the endpoint (clientConfig.endpoint or AWS_ENDPOINT_URL_BEDROCK_RUNTIME; a local one must be running), ' +
        'the region (it names the AWS endpoint), and the network or proxy.',
      { bedrockCode: kind.code, status: undefined, retryable: true, attempts, cause },
    );
    this.endpoint = endpoint;
  }
}

/** The AWS SDK found no credentials anywhere in its chain. */
export class CredentialsMissingError extends BedrockRequestError {
  override readonly code = 'CREDENTIALS_MISSING';

  constructor(kind: ErrorClass, cause: unknown) {
    super(
      `No AWS credentials were found (${kind.message.replace(/\.+$/, '')}). Provide them in one of these ways: ` +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones) in the environment; ' +
        '`aws configure` (writes ~/.aws/credentials) or AWS_PROFILE naming a profile there; `aws sso login` with an SSO profile; ' +
        'a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK; an IAM role (EC2, ECS, Lambda); or `clientConfig.credentials` in code.',
      { bedrockCode: kind.code, status: undefined, retryable: false, attempts: 1, cause },
    );
  }
}

/** Neither the agent's config nor the AWS SDK's region chain names a region. */
export class RegionMissingError extends BedrockRequestError {
  override readonly code = 'REGION_MISSING';

  constructor(kind: ErrorClass, cause: unknown) {
    super(
      'No AWS region is set, so there is no Bedrock endpoint to call; nothing was sent. Set one of: `clientConfig.region` in code, ' +
        'AWS_REGION (or AWS_DEFAULT_REGION) in the environment, or `region` in your profile in ~/.aws/config (`aws configure`, AWS_PROFILE). ' +
        'Nova in the US: us-east-1 with a `us.` model id.',
      { bedrockCode: kind.code, status: undefined, retryable: false, attempts: 1, cause },
    );
  }
}

/** The specific error for a connection-level failure, or undefined for the generic one. */
export function explainFailure(kind: ErrorClass, attempts: number, cause: unknown): BedrockRequestError | undefined {
  if (UNREACHABLE.has(kind.code)) return new BedrockUnreachableError(endpointOf(cause, kind.message), kind, attempts, cause);
  if (kind.code === 'CredentialsProviderError' || /could not load credentials from any providers/i.test(kind.message)) {
    return new CredentialsMissingError(kind, cause);
  }
  if (/^Region is missing/i.test(kind.message)) return new RegionMissingError(kind, cause);
  return undefined;
}

function endpointOf(cause: unknown, message: string): string {
  const e = (typeof cause === 'object' && cause !== null ? cause : {}) as { address?: unknown; port?: unknown; hostname?: unknown };
  if (typeof e.address === 'string') return typeof e.port === 'number' ? `${e.address}:${e.port}` : e.address;
  if (typeof e.hostname === 'string') return e.hostname;
  // "connect ECONNREFUSED 127.0.0.1:1", "getaddrinfo ENOTFOUND host"
  return message.split(' ').at(-1) ?? 'the configured endpoint';
}
