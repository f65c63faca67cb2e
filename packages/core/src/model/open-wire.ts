import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { AgentConfigError } from '../errors.js';
import { createBedrockClient, type ClientConfig } from './client.js';
import { sdkWire, type ConverseWire } from './converse-wire.js';
import { leanWire } from './lean/lean-wire.js';

/** How an Agent, classify() or extract() is told to reach Bedrock. */
export interface WireOptions {
  client?: BedrockRuntimeClient | undefined;
  clientConfig?: ClientConfig | undefined;
  transport?: 'sdk' | 'lean' | undefined;
}

/**
 * The wire for these options: the client given (left open on close), a lean connection, or an SDK
 * client made here. `client` is the SDK client the wire talks through (`undefined` on the lean one).
 */
export function openWire(options: WireOptions): { wire: ConverseWire; client: BedrockRuntimeClient | undefined } {
  const { client, transport } = options;
  if (transport !== undefined && transport !== 'sdk' && transport !== 'lean') {
    throw new AgentConfigError(`\`transport\` must be 'sdk' or 'lean' (got ${JSON.stringify(transport)}).`);
  }
  if (client !== undefined && transport === 'lean') {
    throw new AgentConfigError(
      "`transport: 'lean'` builds its own connection, so it cannot use the `client` you passed. Pass either `client` or `transport: 'lean'` (with `clientConfig`).",
    );
  }
  if (client) return { wire: sdkWire(client, false), client };
  if (transport === 'lean') return { wire: leanWire(options.clientConfig), client: undefined };
  const made = createBedrockClient(options.clientConfig);
  return { wire: sdkWire(made, true), client: made };
}
