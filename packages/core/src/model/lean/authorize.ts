import type { BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** Adds the Authorization (and date, payload hash, session token) headers to a request about to go out. */
export type Authorize = (request: OutgoingRequest, signingDate?: Date) => Promise<Record<string, string>>;

export interface OutgoingRequest {
  hostname: string;
  port: number | undefined;
  protocol: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export type CredentialsInput = NonNullable<BedrockRuntimeClientConfig['credentials']>;
type AwsCredentialIdentityProvider = Extract<CredentialsInput, (...args: never[]) => unknown>;
type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;

// The SDK's rule: credentials with less than 5 minutes left are fetched again before signing.
const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * How the lean transport authenticates, in the SDK's order: credentials given in code sign with
 * SigV4; otherwise a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK is sent as a Bearer token;
 * otherwise the SDK's default provider chain (environment, profiles, SSO, web identity, process,
 * container and instance metadata) signs, refreshed before expiry. Signing is @smithy/signature-v4's.
 */
export function authorizer(region: string, credentials: CredentialsInput | undefined, env: NodeJS.ProcessEnv = process.env): Authorize {
  const token = env.AWS_BEARER_TOKEN_BEDROCK;
  if (credentials === undefined && token) {
    return async (request) => ({ ...request.headers, authorization: `Bearer ${token}` });
  }
  const provider: AwsCredentialIdentityProvider =
    credentials === undefined ? defaultChain() : typeof credentials === 'function' ? refreshing(credentials) : async () => credentials;
  const signer = new SignatureV4({
    credentials: provider,
    region,
    service: 'bedrock',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  });
  return async (request, signingDate) => {
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: request.protocol,
        hostname: request.hostname,
        port: request.port,
        path: request.path,
        query: {},
        headers: request.headers,
        body: request.body,
      },
      signingDate ? { signingDate } : undefined,
    );
    return signed.headers;
  };
}

/** The SDK's chain, loaded on first use: a process that passes credentials never loads it. */
function defaultChain(): AwsCredentialIdentityProvider {
  let chain: Promise<AwsCredentialIdentityProvider> | undefined;
  return async () => {
    // defaultProvider memoises, and fetches again once less than 5 minutes are left.
    chain ??= import('@aws-sdk/credential-provider-node').then(({ defaultProvider }) => defaultProvider());
    return (await chain)();
  };
}

/** A caller's provider, asked again only when its credentials are about to expire. */
function refreshing(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expiresAt = 0;
  return async () => {
    if (current === undefined || Date.now() >= expiresAt) {
      const fetching = provider();
      current = fetching;
      expiresAt = Number.POSITIVE_INFINITY;
      try {
        const credentials = await fetching;
        expiresAt = credentials.expiration ? credentials.expiration.getTime() - REFRESH_BEFORE_MS : Number.POSITIVE_INFINITY;
      } catch (error) {
        current = undefined;
        throw error;
      }
    }
    return current;
  };
}
