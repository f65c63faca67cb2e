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
import { Redis, type RedisOptions } from 'ioredis';
import { decodeStep, encodeStep, toSessionState } from './codec.js';
import { storeFailure } from './failure.js';

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
      entries = await this.redis().lrange(this.keyOf(sessionId), 0, -1);
    } catch (error) {
      throw wrongType(sessionId, error) ?? storeFailure(sessionId, 'load', error);
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
      const client = this.redis();
      reply = await client.evalsha(APPEND_SHA, 1, ...args).catch((error: unknown) => {
        // The script cache is empty after a restart or on a new server: send the script itself once.
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.eval(APPEND, 1, ...args);
        throw error;
      });
    } catch (error) {
      throw wrongType(sessionId, error) ?? storeFailure(sessionId, 'append', error);
    }
    const [ok, version] = Array.isArray(reply) ? (reply as unknown[]) : [];
    if (typeof version !== 'number') throw storeFailure(sessionId, 'append', new Error(`unexpected script reply ${JSON.stringify(reply)}`));
    if (ok !== 1) throw new SessionConflictError(sessionId, expectedVersion, version);
    return version;
  }

  /** Deletes a session; returns whether it existed. */
  async delete(sessionId: string): Promise<boolean> {
    checkSessionId(sessionId);
    return (await this.redis().del(this.keyOf(sessionId))) > 0;
  }

  /** Closes the client the store made (a client you passed in is left open). */
  async close(): Promise<void> {
    if (!this.ownsClient || !this.client) return;
    const client = this.client;
    this.client = undefined;
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  }

  private redis(): Redis {
    if (!this.client) {
      this.client = new Redis(this.options.url as string, {
        // Connect on the first command, not in the constructor.
        lazyConnect: true,
        // A store call fails after a few reconnect attempts instead of waiting ~20 of them.
        maxRetriesPerRequest: 2,
        ...this.options.redisOptions,
      });
      // Failures reach the caller through the rejected command; without a listener ioredis would
      // also print every reconnect error.
      this.client.on('error', () => undefined);
    }
    return this.client;
  }
}

/** A key holding something other than a list was written by something else: corrupt, not a failure. */
function wrongType(sessionId: string, error: unknown): SessionCorruptError | undefined {
  if (error instanceof Error && error.message.startsWith('WRONGTYPE')) {
    return new SessionCorruptError(sessionId, 'its Redis key holds something other than a list', { cause: error });
  }
  return undefined;
}
