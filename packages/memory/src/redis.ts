import type { Message } from '@aws-sdk/client-bedrock-runtime';
import {
  AgentConfigError,
  SessionConflictError,
  SessionCorruptError,
  type SessionState,
  type SessionStore,
  type SessionUpdate,
} from '@novaloop/core';
import { checkAppend, checkSessionId } from '@novaloop/core/session-store';
import { createHash } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { decodeStep, encodeStep, toSessionState } from './codec.js';
import { storeFailure } from './failure.js';
import { loadDriver } from './load-driver.js';

export interface RedisSessionStoreOptions {
  /** An existing ioredis client, used as given and never closed by the store. */
  client?: Redis;
  /** Without `client`: `redis://[user:password@]host:port[/db]`. */
  url?: string;
  /** Without `client`: more ioredis options for the client the store makes. */
  redisOptions?: RedisOptions;
  /** Prefix of every key (default `novaloop:session:`); the key of a session is prefix + id. */
  keyPrefix?: string;
  /** Deletes a session this long after its last append (Redis PEXPIRE, refreshed by each append). */
  ttlSeconds?: number;
}

// One key per session, a list with one entry per step, so the whole session moves, expires and
// lives in a cluster slot as one. The version is the list's length, checked and extended in one
// script: Redis runs a script alone, so no other writer gets in between.
const APPEND = `
local length = redis.call('LLEN', KEYS[1])
if length ~= tonumber(ARGV[1]) then return {0, length} end
redis.call('RPUSH', KEYS[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return {1, length + 1}
`;
const APPEND_SHA = createHash('sha1').update(APPEND).digest('hex');

/**
 * Sessions in Redis through ioredis: a list per session (`keyPrefix` + session id), one JSON entry
 * per step; appends are a Lua script that checks the version and pushes atomically.
 */
export class RedisSessionStore implements SessionStore {
  private client: Redis | undefined;
  private connecting: Promise<Redis> | undefined;
  /** The last connection error ioredis reported, to say why a command failed. */
  private lastConnectionError: Error | undefined;
  private readonly ownsClient: boolean;
  private readonly keyPrefix: string;
  private readonly ttlMs: number;

  constructor(private readonly options: RedisSessionStoreOptions) {
    if (!options.client && !options.url) throw new AgentConfigError('RedisSessionStore needs `client` (an ioredis client) or `url`.');
    if (options.ttlSeconds !== undefined && !(options.ttlSeconds > 0)) {
      throw new AgentConfigError('RedisSessionStore: `ttlSeconds` must be a positive number of seconds.');
    }
    this.client = options.client;
    this.ownsClient = !options.client;
    this.keyPrefix = options.keyPrefix ?? 'novaloop:session:';
    this.ttlMs = Math.round((options.ttlSeconds ?? 0) * 1000);
  }

  /** The Redis key of a session, for your own tooling (inspection, deletion). */
  keyOf(sessionId: string): string {
    return this.keyPrefix + sessionId;
  }

  async load(sessionId: string): Promise<SessionState | undefined> {
    checkSessionId(sessionId);
    let entries: string[];
    try {
      // One command, so it reads one state of the list whatever other writers do.
      entries = await (await this.redis()).lrange(this.keyOf(sessionId), 0, -1);
    } catch (error) {
      throw wrongType(sessionId, error) ?? storeFailure(sessionId, 'load', this.unreachable(error));
    }
    return toSessionState(
      sessionId,
      entries.map((entry, i) => ({ version: i + 1, step: decodeStep(sessionId, i + 1, entry) })),
    );
  }

  async append(sessionId: string, messages: readonly Message[], expectedVersion: number, update?: SessionUpdate): Promise<number> {
    checkAppend(sessionId, messages, expectedVersion, update);
    const args = [this.keyOf(sessionId), expectedVersion, encodeStep(messages, update), this.ttlMs] as const;
    let reply: unknown;
    try {
      const client = await this.redis();
      reply = await client.evalsha(APPEND_SHA, 1, ...args).catch((error: unknown) => {
        // The script cache is empty after a restart or on a new server: send the script itself once.
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.eval(APPEND, 1, ...args);
        throw error;
      });
    } catch (error) {
      throw wrongType(sessionId, error) ?? storeFailure(sessionId, 'append', this.unreachable(error));
    }
    const [ok, version] = Array.isArray(reply) ? (reply as unknown[]) : [];
    if (typeof version !== 'number') throw storeFailure(sessionId, 'append', new Error(`unexpected script reply ${JSON.stringify(reply)}`));
    if (ok !== 1) throw new SessionConflictError(sessionId, expectedVersion, version);
    return version;
  }

  /** Deletes every step of a session; resolves to whether the session existed. */
  async delete(sessionId: string): Promise<boolean> {
    checkSessionId(sessionId);
    return (await (await this.redis()).del(this.keyOf(sessionId))) > 0;
  }

  /** Closes the client the store made (a client you passed in is left open). Safe to call twice. */
  async close(): Promise<void> {
    if (!this.ownsClient) return;
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    this.connecting = undefined;
    if (!client) return;
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  }

  private redis(): Promise<Redis> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= loadDriver('RedisSessionStore', ['ioredis'], () => import('ioredis')).then(
      ({ Redis }) => {
        const client = new Redis(this.options.url as string, {
          // Connect on the first command, not in the constructor.
          lazyConnect: true,
          // A store call fails after a few reconnect attempts instead of waiting ~20 of them.
          maxRetriesPerRequest: 2,
          ...this.options.redisOptions,
        });
        // Failures reach the caller through the rejected command (see unreachable()); without a
        // listener ioredis would also print every reconnect error.
        client.on('error', (error: Error) => {
          this.lastConnectionError = error;
        });
        client.on('ready', () => {
          this.lastConnectionError = undefined;
        });
        this.client = client;
        return client;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  /**
   * ioredis reports a server it cannot reach as "Reached the max retries per request limit" or
   * "Connection is closed", naming neither host nor port; say which server and why instead.
   */
  private unreachable(error: unknown): unknown {
    const client = this.client;
    if (!client || !(error instanceof Error)) return error;
    const connectionFailure =
      /max retries per request|Connection is closed|Stream isn't writeable/i.test(error.message) ||
      /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH)$/.test(String((error as NodeJS.ErrnoException).code));
    if (!connectionFailure) return error;
    const { host, port } = client.options;
    const why = this.lastConnectionError?.message ?? error.message;
    return new Error(
      `Redis at ${host ?? 'localhost'}:${port ?? 6379} cannot be reached (${why}); check that it is running and the url is right`,
      {
        cause: error,
      },
    );
  }
}

/** A key holding something other than a list was written by something else: corrupt, not a failure. */
function wrongType(sessionId: string, error: unknown): SessionCorruptError | undefined {
  if (error instanceof Error && error.message.startsWith('WRONGTYPE')) {
    return new SessionCorruptError(sessionId, 'its Redis key holds something other than a list', { cause: error });
  }
  return undefined;
}
