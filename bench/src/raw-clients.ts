// The two transports the raw loop is measured on. raw-default is what `new BedrockRuntimeClient()`
// gives: the SDK's HTTP/2 handler, which opens a new session for every call, and standard retries.
// raw-pooled is the fix a careful team applies by hand: HTTP/1.1 with a keep-alive agent, SDK retry
// settings untouched.
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import http from 'node:http';

const local = (endpoint: string) => ({
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});

export const rawDefaultClient = (endpoint: string) => new BedrockRuntimeClient(local(endpoint));

export const rawPooledClient = (endpoint: string) =>
  new BedrockRuntimeClient({ ...local(endpoint), requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) }) });
