import type { ConverseRequest, ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { ClientConfig } from '../client.js';
import type { ConverseAnswer, ConverseWire } from '../converse-wire.js';
import type { Authorize, CredentialsInput } from './authorize.js';
import type { decodeEventStream } from './decode-event-stream.js';
import { requestBody, reviveMessageBlobs } from './json-body.js';
import type { Target, TargetConfig } from './resolve-target.js';
import { serviceErrorOf } from './service-error.js';

export interface LeanWireConfig extends TargetConfig {
  credentials?: CredentialsInput;
  maxSockets?: number;
  idleTimeoutMs?: number;
}

interface Ready {
  target: Target;
  authorize: Authorize;
  agent: http.Agent;
  send: typeof http.request;
  decode: typeof decodeEventStream;
}

/**
 * Converse and ConverseStream straight over node:http(s), without the SDK's middleware stack: one
 * keep-alive pool, a JSON body, a SigV4 signature (or API key), and the event-stream codec. It makes
 * one attempt per call and leaves retries to the driver, like the SDK client the agent builds.
 */
export class LeanConverseWire implements ConverseWire {
  private ready: Promise<Ready> | undefined;
  private agent: http.Agent | undefined;
  /** Server time minus local time, learnt from a clock-skew error, as the SDK keeps `systemClockOffset`. */
  private clockOffsetMs = 0;

  constructor(
    private readonly config: LeanWireConfig = {},
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async converse(request: ConverseRequest, signal: AbortSignal): Promise<ConverseAnswer> {
    const response = await this.post('converse', request, signal);
    const answer = JSON.parse(await readText(response)) as ConverseAnswer;
    reviveMessageBlobs(answer.output?.message);
    return answer;
  }

  async converseStream(request: ConverseRequest, signal: AbortSignal): Promise<AsyncIterable<ConverseStreamOutput>> {
    const response = await this.post('converse-stream', request, signal);
    return (await this.prepare()).decode(response);
  }

  close(): void {
    this.agent?.destroy();
  }

  private async post(operation: 'converse' | 'converse-stream', request: ConverseRequest, signal: AbortSignal): Promise<IncomingMessage> {
    const { target, authorize, agent, send } = await this.prepare();
    const body = requestBody(request);
    const { url } = target;
    const port = url.port ? Number(url.port) : undefined;
    const base = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
    const path = `${base}/model/${escapeLabel(request.modelId ?? '')}/${operation}`;
    const headers = await authorize(
      {
        hostname: url.hostname,
        port,
        protocol: url.protocol,
        path,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          host: url.host,
          'user-agent': USER_AGENT,
        },
        body,
      },
      this.clockOffsetMs === 0 ? undefined : new Date(Date.now() + this.clockOffsetMs),
    );
    const idleTimeoutMs = this.config.idleTimeoutMs ?? 300_000;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = send({ agent, hostname: url.hostname, port, path, method: 'POST', headers, signal }, (response) => {
        if (response.statusCode === 200) return resolve(response);
        this.learnClockSkew(response);
        readText(response).then((text) => reject(serviceErrorOf(response, text)), reject);
      });
      outgoing.setTimeout(idleTimeoutMs, () => {
        // Named as the SDK's handler names it, so both transports report the same code.
        outgoing.destroy(
          Object.assign(new Error(`The connection to ${url.host} was idle for ${idleTimeoutMs} ms.`), { name: 'TimeoutError' }),
        );
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        // The SDK's handler renames these so; the same name gives the same error code on both transports.
        if (error.code !== undefined && TIMEOUT_CODES.has(error.code)) error.name = 'TimeoutError';
        reject(error);
      });
      outgoing.end(body);
    });
  }

  /**
   * After an error answer whose Date is 5 minutes or more from the local clock (a signature rejected as
   * expired), later requests are signed with the server's time, as the SDK does. Only error answers
   * are read: a signed request that succeeded was within the 5 minutes.
   */
  private learnClockSkew(response: IncomingMessage): void {
    const serverMs = Date.parse(response.headers.date ?? '');
    if (Number.isNaN(serverMs)) return;
    if (Math.abs(Date.now() + this.clockOffsetMs - serverMs) >= CLOCK_SKEW_MS) this.clockOffsetMs = serverMs - Date.now();
  }

  /**
   * Region, endpoint and credentials are resolved on the first call, as the SDK does. The signer,
   * config loaders and codec are imported then too: an agent on the SDK transport never loads them.
   */
  private prepare(): Promise<Ready> {
    this.ready ??= (async () => {
      const [{ resolveTarget }, { authorizer }, { decodeEventStream }] = await Promise.all([
        import('./resolve-target.js'),
        import('./authorize.js'),
        import('./decode-event-stream.js'),
      ]);
      const target = await resolveTarget(this.config, this.env);
      const secure = target.url.protocol === 'https:';
      const options = { keepAlive: true, maxSockets: this.config.maxSockets ?? 256 };
      this.agent = secure ? new https.Agent(options) : new http.Agent(options);
      return {
        target,
        authorize: authorizer(target.region, this.config.credentials, this.env),
        agent: this.agent,
        send: secure ? https.request : http.request,
        decode: decodeEventStream,
      };
    })();
    // A failed resolution (no region yet) is tried again on the next call.
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }
}

const CLOCK_SKEW_MS = 5 * 60_000;
const USER_AGENT = `novaloop-lean md/nodejs#${process.versions.node}`;

// @smithy/node-http-handler's NODEJS_TIMEOUT_ERROR_CODES.
const TIMEOUT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** The SDK's encoding of a path label (`:` → `%3A`, and !'()* too). */
const escapeLabel = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The lean wire for an agent's or a call's `clientConfig`. */
export function leanWire(clientConfig: ClientConfig | undefined): LeanConverseWire {
  const { credentials, ...rest } = clientConfig ?? {};
  // A copy: the caller's object may be frozen, or change after the agent is made.
  return new LeanConverseWire({
    ...rest,
    ...(credentials ? { credentials: typeof credentials === 'function' ? credentials : { ...credentials } } : {}),
  });
}
