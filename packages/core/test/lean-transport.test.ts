// The lean transport against the SDK's, on one signature-checking bedrock-local. The rest of the core
// suite runs on both transports (vitest project `core-lean`); this file covers what only differs by
// transport: what goes on the wire, how it authenticates, and where it connects.
import type { FaultPlan } from '@novaloop/bedrock-local';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Agent, AgentConfigError, BedrockRequestError, createBedrockClient } from '../src/index.js';
import { INFRA_QUESTION, INFRA_SCRIPT, LOCAL_CREDENTIALS, NOVA_PRO, bodies, infraTools, useBedrock } from './helpers.js';

const { start, agentOn } = useBedrock();
afterEach(() => {
  vi.unstubAllEnvs();
});

const TEMPORARY = { accessKeyId: 'ASIALOCALTEST', secretAccessKey: 'temp-secret', sessionToken: 'FwoGZXIvYXdzEBYaDLocalSession' };
const TRANSPORTS = ['sdk', 'lean'] as const;

/** Tool-use ids are random per server: numbered by first appearance, two runs compare equal. */
function sameIds<T>(value: T): unknown {
  const ids = new Map<string, string>();
  return JSON.parse(
    JSON.stringify(value).replace(
      /tooluse_[\w-]+/g,
      (id) => ids.get(id) ?? (ids.set(id, `tooluse_${ids.size}`), `tooluse_${ids.size - 1}`),
    ),
  );
}

/** The SigV4 parts of an Authorization header: scheme, credential scope and signed header names. */
function authParts(header: unknown) {
  const match = /^(\S+) Credential=([^,]+), SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(String(header));
  return match ? { scheme: match[1], credential: match[2], signed: match[3]!.split(';') } : undefined;
}

describe('conformance: the same run on both transports', () => {
  for (const stream of [true, false]) {
    it(`${stream ? 'ConverseStream' : 'Converse'}: identical request bodies, and the headers that matter`, async () => {
      const runs = await Promise.all(
        TRANSPORTS.map(async (transport) => {
          const server = await start({ script: INFRA_SCRIPT, signatures: { credentials: [TEMPORARY] } });
          const agent = agentOn(server, {
            tools: infraTools,
            stream,
            transport,
            clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: { ...TEMPORARY } },
          });
          const result = await agent.run(INFRA_QUESTION);
          return { server, result };
        }),
      );
      const [sdk, lean] = runs as [(typeof runs)[number], (typeof runs)[number]];
      expect(lean.result.text).toBe(sdk.result.text);
      expect(sameIds(lean.result.messages)).toEqual(sameIds(sdk.result.messages));
      expect(lean.result.usage).toEqual(sdk.result.usage);
      expect(sameIds(bodies(lean.server))).toEqual(sameIds(bodies(sdk.server)));
      expect(lean.server.requests.map((r) => [r.route, r.modelId, r.protocol, r.status])).toEqual(
        sdk.server.requests.map((r) => [r.route, r.modelId, r.protocol, r.status]),
      );
      for (const [index, request] of lean.server.requests.entries()) {
        const theirs = sdk.server.requests[index]!.headers;
        const ours = request.headers;
        for (const name of ['content-type', 'content-length', 'x-amz-security-token']) {
          expect(ours[name], name).toBe(theirs[name]);
        }
        // The same JSON, keys in another order (the SDK's is its schema's): the hashes differ, both are signed.
        expect(ours['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
        const [mine, sdkAuth] = [authParts(ours.authorization), authParts(theirs.authorization)];
        expect(mine).toBeDefined();
        expect(mine?.scheme).toBe(sdkAuth?.scheme);
        expect(mine?.credential).toBe(sdkAuth?.credential);
        // The SDK also signs its own headers (user agent, invocation id); what Bedrock needs is signed on both.
        for (const name of ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token']) {
          expect(mine?.signed, name).toContain(name);
          expect(sdkAuth?.signed, name).toContain(name);
        }
      }
    });
  }

  it('bytes (an image) go out as the same base64 on both', async () => {
    const bytes = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 255]);
    const sent = await Promise.all(
      TRANSPORTS.map(async (transport) => {
        const server = await start();
        const agent = agentOn(server, { transport });
        await agent.run([{ text: 'What is this?' }, { image: { format: 'png', source: { bytes } } }]);
        return bodies(server)[0]!.messages[0]!.content;
      }),
    );
    expect(sent[1]).toEqual(sent[0]);
    expect(sent[1]).toContainEqual({ image: { format: 'png', source: { bytes: Buffer.from(bytes).toString('base64') } } });
  });

  const FAILURES: [string, FaultPlan][] = [
    ['throttling until retries run out', { fault: { kind: 'throttling' }, times: Infinity }],
    ['a non-retryable model error', { fault: { kind: 'model-error' }, times: Infinity }],
    ['a dropped connection', { fault: { kind: 'drop-connection' }, times: Infinity }],
    ['a mid-stream exception', { fault: { kind: 'stream-exception', afterEvents: 2, exception: 'validationException' }, times: Infinity }],
  ];
  it.each(FAILURES)('%s: the same typed error, code, status, retry decision and attempts', async (_name, faults) => {
    const errors = await Promise.all(
      TRANSPORTS.map(async (transport) => {
        const server = await start({ script: INFRA_SCRIPT });
        server.injectFaults(faults);
        const agent = agentOn(server, { tools: infraTools, transport, toolUseRepair: { maxRepairs: 0 } });
        const error = (await agent.run(INFRA_QUESTION).catch((e: unknown) => e)) as Error & Partial<BedrockRequestError>;
        expect(error).toBeInstanceOf(Error);
        const { code, bedrockCode, status, retryable, attempts, message } = error;
        return { class: error.constructor.name, code, bedrockCode, status, retryable, attempts, message, requests: server.requests.length };
      }),
    );
    expect(errors[1]).toEqual(errors[0]);
  });
});

describe('signing', () => {
  it.each(TRANSPORTS)('%s: a wrong secret is a non-retryable 403 InvalidSignatureException', async (transport) => {
    const server = await start();
    const agent = agentOn(server, {
      transport,
      clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS, secretAccessKey: 'wrong' } },
    });
    const error = (await agent.run('Hello').catch((e: unknown) => e)) as BedrockRequestError;
    expect(error).toBeInstanceOf(BedrockRequestError);
    expect(error).toMatchObject({ bedrockCode: 'InvalidSignatureException', status: 403, retryable: false, attempts: 1 });
    expect(error.message).toMatch(/The request signature we calculated does not match/);
  });

  it.each(TRANSPORTS)('%s: after a clock-skew rejection, the next run signs with the server clock', async (transport) => {
    const server = await start({ signatures: { credentials: [LOCAL_CREDENTIALS], clock: () => Date.now() + 20 * 60_000 } });
    const agent = agentOn(server, { transport });
    const error = (await agent.run('Hello').catch((e: unknown) => e)) as BedrockRequestError;
    expect(error).toMatchObject({ bedrockCode: 'InvalidSignatureException', status: 403, retryable: false });
    expect(error.message).toMatch(/Signature expired/);
    const result = await agent.run('Hello again');
    expect(result.stopReason).toBe('end_turn');
    expect(server.requests.map((r) => r.status)).toEqual([403, 200]);
  });

  it('refreshes credentials from a provider before they expire, and not otherwise', async () => {
    const server = await start({ signatures: { credentials: [TEMPORARY] } });
    const counts = { soon: 0, later: 0 };
    const provider = (which: 'soon' | 'later', inMs: number) => async () => {
      counts[which]++;
      return { ...TEMPORARY, expiration: new Date(Date.now() + inMs) };
    };
    for (const [which, inMs] of [
      ['soon', 60_000],
      ['later', 3_600_000],
    ] as const) {
      const agent = agentOn(server, {
        transport: 'lean',
        tools: infraTools,
        clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: provider(which, inMs) },
      });
      await agent.run('Hello');
      await agent.run('Hello again');
    }
    // Less than 5 minutes left: fetched again for every request; an hour left: once.
    expect(counts).toEqual({ soon: 2, later: 1 });
  });
});

describe('where the lean transport connects and how it authenticates', () => {
  it('sends AWS_BEARER_TOKEN_BEDROCK as a Bearer API key when no credentials are given', async () => {
    const server = await start({ signatures: { credentials: [], apiKeys: ['ABSKbG9jYWwta2V5'] } });
    vi.stubEnv('AWS_BEARER_TOKEN_BEDROCK', 'ABSKbG9jYWwta2V5');
    const agent = new Agent({ model: NOVA_PRO, transport: 'lean', clientConfig: { endpoint: server.endpoint, region: 'us-east-1' } });
    const result = await agent.run('Hello');
    agent.close();
    expect(result.stopReason).toBe('end_turn');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer ABSKbG9jYWwta2V5');
  });

  it("without credentials in code, signs with the SDK's default chain (environment, session token included)", async () => {
    const server = await start({ signatures: { credentials: [TEMPORARY] } });
    vi.stubEnv('AWS_BEARER_TOKEN_BEDROCK', '');
    vi.stubEnv('AWS_ACCESS_KEY_ID', TEMPORARY.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEMPORARY.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', TEMPORARY.sessionToken);
    const agent = new Agent({ model: NOVA_PRO, transport: 'lean', clientConfig: { endpoint: server.endpoint, region: 'us-east-1' } });
    const result = await agent.run('Hello');
    agent.close();
    expect(result.stopReason).toBe('end_turn');
    expect(server.requests[0]?.headers['x-amz-security-token']).toBe(TEMPORARY.sessionToken);
  });

  it('signs with credentials given in code even when an API key is in the environment', async () => {
    const server = await start();
    vi.stubEnv('AWS_BEARER_TOKEN_BEDROCK', 'ABSKbG9jYWwta2V5');
    const agent = agentOn(server, { transport: 'lean' });
    await agent.run('Hello');
    expect(String(server.requests[0]?.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST\//);
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_BEDROCK_RUNTIME and the region from AWS_REGION', async () => {
    const server = await start();
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', server.endpoint);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const agent = new Agent({
      model: 'eu.amazon.nova-pro-v1:0',
      transport: 'lean',
      clientConfig: { credentials: { ...LOCAL_CREDENTIALS } },
    });
    await agent.run('Hello');
    agent.close();
    expect(server.requests).toHaveLength(1);
    expect(String(server.requests[0]?.headers.authorization)).toContain('/eu-west-1/bedrock/aws4_request');
  });

  it('reuses one keep-alive connection across steps and runs', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server, { transport: 'lean', tools: infraTools });
    await agent.run(INFRA_QUESTION);
    await agent.run(INFRA_QUESTION);
    expect(server.requests).toHaveLength(6);
    expect(server.connectionsOpened).toBe(1);
  });

  it('refuses `client` together with transport lean, and an unknown transport', () => {
    const client = createBedrockClient({ region: 'us-east-1' });
    expect(() => new Agent({ model: NOVA_PRO, client, transport: 'lean' })).toThrow(AgentConfigError);
    expect(() => new Agent({ model: NOVA_PRO, client, transport: 'lean' })).toThrow(/either `client` or `transport: 'lean'`/);
    expect(() => new Agent({ model: NOVA_PRO, transport: 'fast' as 'lean' })).toThrow(/'sdk' or 'lean'/);
    client.destroy();
  });
});
