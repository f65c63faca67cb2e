import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import http from 'node:http';
import https from 'node:https';
import { resolveRegion } from './region.js';

/** How `Agent` builds its Bedrock client when you do not pass one. */
export interface ClientConfig {
  /** Defaults to AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region (~/.aws/config); none is RegionMissingError. */
  region?: string;
  /** E.g. bedrock-local's endpoint. Defaults to AWS_ENDPOINT_URL_BEDROCK_RUNTIME, then AWS_ENDPOINT_URL, then the region's. */
  endpoint?: string;
  /** The region's FIPS endpoint (default: AWS_USE_FIPS_ENDPOINT, or `use_fips_endpoint` in the profile). */
  useFipsEndpoint?: boolean;
  credentials?: BedrockRuntimeClientConfig['credentials'];
  /** Most sockets kept open to Bedrock at once (default 256). */
  maxSockets?: number;
  /**
   * An attempt whose connection carries nothing for this long fails and is retried (default 300,000:
   * a long Converse answer arrives in one piece, only after all of it is generated).
   */
  idleTimeoutMs?: number;
}

/**
 * A Bedrock Runtime client that reuses its connections and makes one attempt per call.
 *
 * The SDK's default handler for this client opens a new HTTP/2 session for every call (it sets
 * `disableConcurrentStreams`), which costs a connection setup per step. HTTP/1.1 with keep-alive
 * serves Converse and ConverseStream and was the fastest option measured on bedrock-local.
 * `maxAttempts: 1` because the agent loop owns retries (with abort-aware backoff); SDK retries on
 * top would multiply the attempts.
 */
export function createBedrockClient(config: ClientConfig = {}): BedrockRuntimeClient {
  const agentOptions = { keepAlive: true, maxSockets: config.maxSockets ?? 256 };
  const clientConfig: BedrockRuntimeClientConfig = {
    region: resolveRegion(config.region),
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      socketTimeout: config.idleTimeoutMs ?? 300_000,
    }),
  };
  if (config.endpoint !== undefined) clientConfig.endpoint = config.endpoint;
  if (config.useFipsEndpoint !== undefined) clientConfig.useFipsEndpoint = config.useFipsEndpoint;
  if (config.credentials !== undefined) {
    // The SDK writes to the credentials object it is given; a caller's frozen object would crash it.
    clientConfig.credentials = typeof config.credentials === 'function' ? config.credentials : { ...config.credentials };
    // With AWS_BEARER_TOKEN_BEDROCK set, the SDK prefers that API key even over credentials given
    // here, which would send the key to whatever endpoint this is (bedrock-local included).
    clientConfig.authSchemePreference = ['sigv4'];
  }
  return new BedrockRuntimeClient(clientConfig);
}
