import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentApis, type AgentApiOptions } from './agents/agent-apis.js';
import { serveConverse, type ConverseContext, type ConverseRoute, type Outcome, type Responder } from './converse.js';
import { LocalBatchJobs } from './batch/batch-jobs.js';
import { routeBatchControl } from './batch/control-routes.js';
import type { LocalBatchOptions } from './batch/job-types.js';
import { BedrockServiceError, serviceErrors } from './errors.js';
import { FaultInjector, type FaultPlan } from './faults.js';
import { KnowledgeBase, type KnowledgeBaseSource } from './knowledge-base.js';
import { resolveModel } from './models.js';
import { PromptCache } from './prompt-cache.js';
import { serveRetrieve } from './retrieve.js';
import { CompiledScript, type Script } from './script.js';
import { verifySignature, type SignatureCheck } from './verify-signature.js';
import type { StopReason, TokenUsage } from './wire-types.js';

export interface LocalBedrockOptions extends AgentApiOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Scripted turns (see `Script`), or the path of a JSON file holding them. */
  script?: Script | string;
  /** A function answering each valid request; takes precedence over `script`. */
  responder?: Responder;
  /**
   * Model latency added before every model answer (a Converse response, a stream's first byte) and
   * before injected faults. Auth, routing and validation errors answer at once, as on the real service.
   */
  latencyMs?: number;
  /** Keep every request in `requests` (default true). Turn off for long benchmark runs. */
  recordRequests?: boolean;
  /** Clock for prompt-cache TTLs, in ms; defaults to `Date.now`. */
  clock?: () => number;
  /** Batch inference jobs (the Bedrock control plane): the S3 server they use, quotas, timing. */
  batch?: LocalBatchOptions;
  /**
   * Check every request's SigV4 signature against these credentials (or its Bearer token against
   * `apiKeys`), answering a bad or expired one with Bedrock's 403. Off by default: any well-formed
   * Authorization header is accepted.
   */
  signatures?: SignatureCheck;
  /**
   * Knowledge bases for the Retrieve operation, by id: a folder of Markdown/text documents (or its
   * path). Indexed at startup; a bad folder or sidecar throws `LocalBedrockKnowledgeBaseError`.
   */
  knowledgeBases?: Record<string, KnowledgeBaseSource | string>;
}

export interface RecordedRequest {
  /** Arrival order from 1; what `FaultRule.requests` refers to. */
  seq: number;
  route: ConverseRoute | 'retrieve' | 'bedrock-agent' | 'lambda' | 'unknown';
  /** Model id as sent (URL-decoded); for `retrieve`, the knowledge base id; the operation for `bedrock-agent`, the function for `lambda`. */
  modelId: string | undefined;
  /** The parsed JSON body (the object the server validated; not a copy). */
  body: unknown;
  /** Request body size in bytes. */
  bytes: number;
  protocol: 'h2' | 'http/1.1';
  /** The request's headers as received (lower-case names; HTTP/2 pseudo-headers included). */
  headers: Record<string, string | string[] | undefined>;
  /** HTTP status sent; 0 if the connection was dropped before any response. */
  status: number;
  /** The `x-amzn-errortype` sent, or the exception sent inside a stream (`cut` for a cut stream). */
  errorType?: string;
  /** Tokens charged for this request. */
  usage?: TokenUsage;
  stopReason?: StopReason;
  /** Milliseconds from the request's arrival to the end of the response. */
  durationMs: number;
}

export interface LocalBedrock {
  /** `http://HOST:PORT`, for the SDK's `endpoint` option or any HTTP client. */
  readonly endpoint: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far: how well a client reuses its connections. */
  readonly connectionsOpened: number;
  /** Adds fault rules; they apply to requests that arrive from now on. */
  injectFaults(plan: FaultPlan): void;
  clearFaults(): void;
  /** Batch inference jobs: `jobs`, `injectJob(plan)`, `idle()`. */
  readonly batch: Pick<LocalBatchJobs, 'jobs' | 'injectJob' | 'idle'>;
  close(): Promise<void>;
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

const ROUTE = /^\/model\/([^/]+)\/(converse|converse-stream)$/;
const RETRIEVE_ROUTE = /^\/knowledgebases\/([^/]*)\/retrieve$/;
const ERROR_NAMESPACE = 'http://internal.amazon.com/coral/com.amazon.bedrock/';

/** Starts a local Bedrock Runtime. HTTP/2 cleartext (the AWS SDK's default) and HTTP/1.1 share the port. */
export async function startLocalBedrock(options: LocalBedrockOptions = {}): Promise<LocalBedrock> {
  const script = options.script !== undefined ? new CompiledScript(options.script) : undefined;
  const ctx: ConverseContext = {
    script,
    responder: options.responder,
    cache: new PromptCache(options.clock ?? Date.now),
    latencyMs: options.latencyMs ?? 0,
  };
  const knowledgeBases = new Map<string, KnowledgeBase>();
  for (const [id, source] of Object.entries(options.knowledgeBases ?? {})) {
    knowledgeBases.set(id, new KnowledgeBase(id, typeof source === 'string' ? { dir: source } : source));
  }
  const agentApis = new AgentApis(options);
  const record = options.recordRequests ?? true;
  const faults = new FaultInjector();
  const batch = new LocalBatchJobs(ctx, options.batch);
  const requests: RecordedRequest[] = [];
  const sockets = new Map<string, Socket>();
  let seq = 0;
  let connectionsOpened = 0;

  const handle = async (req: AnyRequest, res: AnyResponse, protocol: RecordedRequest['protocol']) => {
    const startedAt = performance.now();
    const entry: RecordedRequest = {
      seq: ++seq,
      route: 'unknown',
      modelId: undefined,
      body: undefined,
      bytes: 0,
      protocol,
      headers: req.headers,
      status: 0,
      durationMs: 0,
    };
    if (record) requests.push(entry);
    const raw = sockets.get(socketKey(req.socket));
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const payload = Buffer.concat(chunks);
      entry.bytes = payload.length;

      const outcome = await route(req, payload, entry, startedAt);
      entry.usage = outcome.usage;
      entry.stopReason = outcome.stopReason;
      if (outcome.delayMs > 0) await sleep(outcome.delayMs);
      await send(res, raw, outcome, entry);
    } catch (error) {
      const failure =
        error instanceof BedrockServiceError
          ? error
          : new BedrockServiceError(500, 'InternalServerException', `bedrock-local: ${(error as Error).message ?? String(error)}`);
      if (!(error instanceof BedrockServiceError)) console.error('bedrock-local: unexpected error', error);
      // The service's own clock is in the Date header; SDKs correct their clock skew from it.
      const clock = options.signatures?.clock;
      sendError(res, failure, entry, clock ? new Date(clock()).toUTCString() : undefined);
    } finally {
      entry.durationMs = performance.now() - startedAt;
    }
  };

  const route = async (req: AnyRequest, payload: Buffer, entry: RecordedRequest, startedAt: number): Promise<Outcome> => {
    const auth = req.headers.authorization;
    if (!auth) throw serviceErrors.missingAuth();
    if (!auth.startsWith('AWS4-HMAC-SHA256 ') && !auth.startsWith('Bearer ')) throw serviceErrors.badAuth();
    if (options.signatures) {
      verifySignature(options.signatures, { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body: payload });
    }
    const control = routeBatchControl(batch, req.method, req.url ?? '', payload);
    if (control !== undefined) return { reply: { kind: 'json', body: control }, delayMs: 0 };
    const other = await agentApis.serve(req.method ?? '', req.url ?? '', req.headers, payload);
    if (other) {
      [entry.route, entry.modelId] = [other.route, other.target];
      return { reply: { kind: 'raw', status: other.status, headers: other.headers, body: other.body }, delayMs: 0 };
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    const retrieve = req.method === 'POST' ? RETRIEVE_ROUTE.exec(path) : null;
    if (retrieve) {
      entry.route = 'retrieve';
      entry.modelId = safeDecode(retrieve[1] ?? '');
      const body = parseBody(payload);
      entry.body = body;
      return { reply: { kind: 'json', body: serveRetrieve(knowledgeBases, entry.modelId, body) }, delayMs: 0 };
    }
    const match = req.method === 'POST' ? ROUTE.exec(path) : null;
    if (!match) throw serviceErrors.unknownOperation();
    const routeName = match[2] as ConverseRoute;
    const modelId = safeDecode(match[1] ?? '');
    entry.route = routeName;
    entry.modelId = modelId;

    const model = resolveModel(modelId);
    const rawBody = parseBody(payload);
    entry.body = rawBody;
    // Taken only once the request is routable, so a malformed request never uses up a planned fault.
    // Throttling and the other service faults still come before validation, as on the real service.
    const requestFaults = faults.take(entry.seq, routeName, modelId, model.foundationModelId);
    return serveConverse(ctx, { modelId, model, route: routeName, rawBody, faults: requestFaults, startedAt });
  };

  const h2 = http2.createServer({ maxSessionMemory: 64 }, (req, res) => void handle(req, res, 'h2'));
  const h1 = http.createServer({ keepAlive: true }, (req, res) => void handle(req, res, 'http/1.1'));
  h2.on('sessionError', () => {});

  // One port, two protocols: an HTTP/2 client with prior knowledge opens with the "PRI * HTTP/2.0"
  // preface; anything else is HTTP/1.1. The first bytes are put back before the socket is handed on.
  const server = net.createServer((socket) => {
    const key = socketKey(socket);
    connectionsOpened++;
    sockets.set(key, socket);
    socket.on('close', () => sockets.delete(key));
    socket.on('error', () => {});
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      if (first.subarray(0, 3).toString('latin1') === 'PRI') {
        // Node's HTTP/2 session reads bytes already buffered on the socket on its next tick; resuming
        // here would emit them as 'data' events nobody hears.
        h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });

  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    endpoint: `http://${host}:${port}`,
    port,
    requests,
    get connectionsOpened() {
      return connectionsOpened;
    },
    injectFaults: (plan) => faults.add(plan),
    clearFaults: () => faults.clear(),
    batch,
    close: async () => {
      batch.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets.values()) socket.destroy();
      h2.close();
      h1.close();
      await closed;
    },
  };
}

const socketKey = (socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }) =>
  `${socket.remoteAddress}:${socket.remotePort}`;

function parseBody(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    throw serviceErrors.serialization('The request body is not valid JSON.');
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function sendError(res: AnyResponse, error: BedrockServiceError, entry: RecordedRequest, date?: string): void {
  entry.status = error.status;
  entry.errorType = error.type;
  if (isGone(res) || res.headersSent) return;
  const body = JSON.stringify({ message: error.message });
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': `${error.type}:${ERROR_NAMESPACE}`,
    'x-amzn-requestid': randomUUID(),
    ...(date ? { date } : {}),
  });
  res.end(body);
}

async function send(res: AnyResponse, raw: Socket | undefined, outcome: Outcome, entry: RecordedRequest): Promise<void> {
  const { reply } = outcome;
  if (isGone(res)) return;
  switch (reply.kind) {
    case 'error':
      return sendError(res, reply.error, entry);
    case 'drop':
      raw?.destroy();
      return;
    case 'json': {
      const body = JSON.stringify(reply.body);
      entry.status = 200;
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-amzn-requestid': randomUUID(),
      });
      res.end(body);
      return;
    }
    case 'raw': {
      entry.status = reply.status;
      res.writeHead(reply.status, { 'x-amzn-requestid': randomUUID(), ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
      res.end(reply.body);
      return;
    }
    case 'stream': {
      entry.status = 200;
      if (outcome.streamError) entry.errorType = outcome.streamError;
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': randomUUID() });
      for (const frame of reply.frames) {
        if (isGone(res)) return;
        if (!(res as ServerResponse).write(frame)) await drained(res);
      }
      if (reply.cutAfterLast) {
        // Let the half frame reach the client before the connection dies under it.
        await new Promise((resolve) => setTimeout(resolve, 20));
        raw?.destroy();
        return;
      }
      res.end();
    }
  }
}

const isGone = (res: AnyResponse): boolean => res.destroyed || res.writableEnded;

function drained(res: AnyResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
