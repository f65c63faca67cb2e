import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import { describeSessionStore } from './conformance.js';
import { installCommand, SYSTEM_DEPS } from '../../../scripts/system-deps.mjs';
import { REDIS_INSTALL_HINT, startRedisServer, type RedisServer } from '@novaloop/test-servers';
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { APPROVAL_SCRIPT, approvalAgent } from './fixtures/approval.js';

let server: RedisServer;
let raw: Redis;
const stores: RedisSessionStore[] = [];
const PREFIX = 'conformance:';

beforeAll(async () => {
  server = await startRedisServer();
  raw = new Redis(server.url);
});
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await raw?.quit();
  await server?.stop();
});

const storeOn = (options: Partial<ConstructorParameters<typeof RedisSessionStore>[0]> = {}) => {
  const store = new RedisSessionStore({ url: server.url, keyPrefix: PREFIX, ...options });
  stores.push(store);
  return store;
};
const msg = (text: string) => [{ role: 'user' as const, content: [{ text }] }];

describeSessionStore('RedisSessionStore (redis-server)', { crossProcess: true, serialized: true }, () => ({
  create: () => storeOn(),
  async corrupt(sessionId, kind) {
    await raw.lset(PREFIX + sessionId, 1, kind === 'not-json' ? '{"v":1,"m":[' : '{"v":1,"m":[{"role":"system","content":[]}]}');
  },
  spec: { kind: 'redis', url: server.url, keyPrefix: PREFIX },
}));

describe('RedisSessionStore', () => {
  it('a paused session left past ttlSeconds is gone: resume is RESUME_NOTHING_PENDING, and a new run starts afresh', async () => {
    const bedrock = await startLocalBedrock({ script: APPROVAL_SCRIPT });
    const agent = approvalAgent(storeOn({ ttlSeconds: 0.3 }), bedrock.endpoint);
    try {
      const paused = await agent.run('Restart prod-api.', { sessionId: 'paused-ttl' });
      expect(paused.stopReason).toBe('needs_approval');
      await new Promise((resolve) => setTimeout(resolve, 600));
      const answer = [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true as const }];
      await expect(agent.resume('paused-ttl', answer)).rejects.toMatchObject({
        code: 'RESUME_NOTHING_PENDING',
        message: expect.stringMatching(/expired by its TTL/),
      });
      // Nothing of the old pause is left to block a new run.
      expect((await agent.run('Restart prod-api.', { sessionId: 'paused-ttl' })).stopReason).toBe('needs_approval');
    } finally {
      agent.close();
      await bedrock.close();
    }
  });

  it('ttlSeconds sets an expiry on the session key, and every append refreshes it', async () => {
    const store = storeOn({ ttlSeconds: 60 });
    await store.append('ttl', msg('a'), 0);
    const first = await raw.pttl(store.keyOf('ttl'));
    expect(first).toBeGreaterThan(55_000);
    expect(first).toBeLessThanOrEqual(60_000);
    await raw.pexpire(store.keyOf('ttl'), 1_000);
    await store.append('ttl', msg('b'), 1);
    expect(await raw.pttl(store.keyOf('ttl'))).toBeGreaterThan(55_000);
    // Without ttlSeconds a session never expires.
    await storeOn().append('forever', msg('a'), 0);
    expect(await raw.pttl(PREFIX + 'forever')).toBe(-1);
  });

  it('a session key holding something other than a list is a SessionCorruptError for load and append', async () => {
    const store = storeOn();
    await raw.set(store.keyOf('wrong'), 'not a list');
    await expect(store.load('wrong')).rejects.toMatchObject({
      code: 'SESSION_CORRUPT',
      message: expect.stringMatching(/other than a list/),
    });
    await expect(store.append('wrong', msg('a'), 0)).rejects.toMatchObject({ code: 'SESSION_CORRUPT' });
  });

  it('appends still work after the server forgets its scripts', async () => {
    const store = storeOn();
    await store.append('flush', msg('a'), 0);
    await raw.script('FLUSH');
    expect(await store.append('flush', msg('b'), 1)).toBe(2);
    expect((await store.load('flush'))?.messages).toHaveLength(2);
  });

  it('uses a client you pass in and leaves it open; makes its own lazily', async () => {
    const client = new Redis(server.url);
    const store = new RedisSessionStore({ client, keyPrefix: 'mine:' });
    await store.append('s', msg('a'), 0);
    await store.close();
    expect(await client.llen('mine:s')).toBe(1);
    await client.quit();

    const lazy = new RedisSessionStore({ url: 'redis://127.0.0.1:1' });
    await lazy.close(); // never connected: nothing to wait for
  });

  it('an unreachable server is a SessionStoreError within a second or two', async () => {
    const store = new RedisSessionStore({
      url: 'redis://127.0.0.1:1',
      redisOptions: { retryStrategy: (times) => (times > 2 ? null : 10) },
    });
    const started = Date.now();
    const error = await store.load('s').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SESSION_STORE', message: expect.stringMatching(/could not load session s/) });
    // Which server, and why: not ioredis's "max retries" / "Connection is closed".
    expect((error as Error).message).toMatch(/Redis at 127\.0\.0\.1:1 cannot be reached \(connect ECONNREFUSED 127\.0\.0\.1:1\)/);
    await expect(store.append('s', msg('a'), 0)).rejects.toMatchObject({ code: 'SESSION_STORE' });
    expect(Date.now() - started).toBeLessThan(5_000);
    await store.close();
  });

  it('refuses options that cannot work', () => {
    expect(() => new RedisSessionStore({})).toThrow(/needs `client`/);
    expect(() => new RedisSessionStore({ url: server.url, ttlSeconds: 0 })).toThrow(/ttlSeconds/);
  });

  it('the test setup fails, saying how to install it, when redis-server is missing', async () => {
    await expect(startRedisServer('/nonexistent/redis-server')).rejects.toThrow(REDIS_INSTALL_HINT);
    // The same command `pnpm test`'s system-deps check prints.
    expect(REDIS_INSTALL_HINT).toContain(installCommand(SYSTEM_DEPS.filter((dep) => dep.name === 'redis-server')));
  });
});
