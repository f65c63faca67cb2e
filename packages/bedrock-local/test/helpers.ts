import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { afterEach } from 'vitest';
import { startLocalBedrock, type LocalBedrock, type LocalBedrockOptions } from '../src/index.js';

/**
 * Starts a bedrock-local server for one test and closes it after. Every test gets its own server,
 * so request logs and faults never leak between tests.
 */
export function useLocalBedrock() {
  const started: LocalBedrock[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  });
  return async (options?: LocalBedrockOptions): Promise<LocalBedrock> => {
    const server = await startLocalBedrock(options);
    started.push(server);
    return server;
  };
}

/**
 * The real AWS SDK client with its default settings (HTTP/2 request handler, standard retries),
 * pointed at bedrock-local. Credentials are a fresh object each time: the SDK mutates them.
 */
export function sdkClient(server: LocalBedrock, config: Partial<BedrockRuntimeClientConfig> = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' },
    ...config,
  });
}

export const NOVA_PRO = 'us.amazon.nova-pro-v1:0';

export const weatherTool = {
  toolSpec: {
    name: 'get_weather',
    description: 'Current weather for a city',
    inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  },
};

/** POSTs a Converse body over HTTP/1.1 with fetch, as a non-SDK client would. */
export async function postConverse(
  server: LocalBedrock,
  body: unknown,
  options: { modelId?: string; stream?: boolean; auth?: string | null } = {},
) {
  const modelId = encodeURIComponent(options.modelId ?? NOVA_PRO);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.auth !== null) headers.authorization = options.auth ?? 'Bearer local-api-key';
  return fetch(`${server.endpoint}/model/${modelId}/${options.stream ? 'converse-stream' : 'converse'}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
