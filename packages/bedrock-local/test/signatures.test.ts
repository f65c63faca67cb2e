import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import type { SignatureCheck } from '../src/index.js';
import { NOVA_PRO, postConverse, sdkClient, useLocalBedrock } from './helpers.js';

const start = useLocalBedrock();
const messages = [{ role: 'user' as const, content: [{ text: 'Hi' }] }];
const KEY = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' };
const TEMPORARY = { accessKeyId: 'ASIALOCALTEST', secretAccessKey: 'temp-secret', sessionToken: 'FwoGZXIvYXdzEBYaDLocalSessionToken' };
const check: SignatureCheck = { credentials: [KEY, TEMPORARY], apiKeys: ['ABSKbG9jYWwta2V5'] };

/** The error the SDK raised, or undefined. */
async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined } | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
}

describe.each([
  ['HTTP/2 (the SDK default)', () => ({})],
  ['HTTP/1.1', () => ({ requestHandler: new NodeHttpHandler() })],
])('SigV4 verification over %s', (_protocol, handler) => {
  it('accepts Converse and ConverseStream signed with a configured key', async () => {
    const server = await start({ signatures: check });
    const client = sdkClient(server, { ...handler(), credentials: { ...KEY } });
    const answer = await client.send(new ConverseCommand({ modelId: NOVA_PRO, messages }));
    expect(answer.output?.message?.role).toBe('assistant');
    const streamed = await client.send(new ConverseStreamCommand({ modelId: NOVA_PRO, messages }));
    for await (const _event of streamed.stream ?? []) void _event;
    expect(server.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it('accepts temporary credentials whose session token is signed', async () => {
    const server = await start({ signatures: check });
    const client = sdkClient(server, { ...handler(), credentials: { ...TEMPORARY } });
    const answer = await client.send(new ConverseCommand({ modelId: NOVA_PRO, messages }));
    expect(answer.stopReason).toBe('end_turn');
  });

  it('answers a signature made with the wrong secret with 403 InvalidSignatureException', async () => {
    const server = await start({ signatures: check });
    const client = sdkClient(server, { ...handler(), credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: 'wrong' } });
    const error = await failure(client.send(new ConverseCommand({ modelId: NOVA_PRO, messages })));
    expect(error).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    expect(error?.message).toMatch(/^The request signature we calculated does not match the signature you provided\./);
    // The service shows the canonical request it computed: the path segment is encoded twice.
    expect(error?.message).toContain(`/model/${encodeURIComponent(encodeURIComponent(NOVA_PRO))}/converse`);
  });

  it('rejects temporary credentials sent without their session token', async () => {
    const server = await start({ signatures: check });
    const { sessionToken: _omitted, ...withoutToken } = TEMPORARY;
    const client = sdkClient(server, { ...handler(), credentials: withoutToken });
    const error = await failure(client.send(new ConverseCommand({ modelId: NOVA_PRO, messages })));
    expect(error).toMatchObject({
      name: 'UnrecognizedClientException',
      status: 403,
      message: 'The security token included in the request is invalid.',
    });
  });

  it('rejects an unknown access key', async () => {
    const server = await start({ signatures: check });
    const client = sdkClient(server, { ...handler(), credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'local-secret' } });
    const error = await failure(client.send(new ConverseCommand({ modelId: NOVA_PRO, messages })));
    expect(error).toMatchObject({ name: 'UnrecognizedClientException', status: 403 });
  });

  it('answers a signature older than 5 minutes with "Signature expired"', async () => {
    const server = await start({ signatures: { ...check, clock: () => Date.now() + 10 * 60_000 } });
    // The SDK corrects its clock from a skew error's Date header and retries; one attempt shows the raw answer.
    const client = sdkClient(server, { ...handler(), credentials: { ...KEY }, maxAttempts: 1 });
    const error = await failure(client.send(new ConverseCommand({ modelId: NOVA_PRO, messages })));
    expect(error).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    expect(error?.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
  });

  it('rejects a body changed after signing', async () => {
    const server = await start({ signatures: check });
    const client = sdkClient(server, { ...handler(), credentials: { ...KEY } });
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string | Uint8Array };
        const sent = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
        request.body = sent.replace('Hi', 'Ho');
        return next(args);
      },
      { step: 'deserialize', name: 'tamperAfterSigning' },
    );
    const error = await failure(client.send(new ConverseCommand({ modelId: NOVA_PRO, messages })));
    expect(error).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
  });
});

describe('API keys under signature verification', () => {
  it('accepts a configured Bearer key and rejects any other', async () => {
    const server = await start({ signatures: check });
    const body = { messages };
    expect((await postConverse(server, body, { auth: 'Bearer ABSKbG9jYWwta2V5' })).status).toBe(200);
    const refused = await postConverse(server, body, { auth: 'Bearer ABSKother' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-amzn-errortype')).toMatch(/^UnrecognizedClientException/);
    await refused.arrayBuffer();
  });

  it('rejects a made-up signature it would accept without verification', async () => {
    const server = await start({ signatures: check });
    const res = await postConverse(
      server,
      { messages },
      {
        auth: 'AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef',
      },
    );
    expect(res.status).toBe(403);
    await res.arrayBuffer();
  });
});
