import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynalite, startRedisServer, type Dynalite, type RedisServer } from '@novaloop/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionTable, DynamoDBSessionStore, RedisSessionStore, SqliteSessionStore } from '../src/index.js';
import { loadDriver, StoreDriverMissingError } from '../src/load-driver.js';

// delete() and close() are the same on every store: delete resolves to whether the session existed,
// close resolves when the store's own client is closed and may be called twice.
let redis: RedisServer;
let dynalite: Dynalite;
beforeAll(async () => {
  [redis, dynalite] = await Promise.all([startRedisServer(), startDynalite()]);
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: dynalite.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createSessionTable(client, { tableName: 'api_sessions', timeToLive: false });
  client.destroy();
});
afterAll(async () => {
  await Promise.all([redis?.stop(), dynalite?.stop()]);
});

const stores = {
  sqlite: () => new SqliteSessionStore({ url: ':memory:' }),
  redis: () => new RedisSessionStore({ url: redis.url, keyPrefix: `api:${Date.now()}:` }),
  dynamodb: () =>
    new DynamoDBSessionStore({
      tableName: 'api_sessions',
      clientConfig: { region: 'us-east-1', endpoint: dynalite.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
    }),
};

describe.each(Object.entries(stores))('%s store: delete() and close()', (_name, make) => {
  it('delete resolves to whether the session existed; close resolves and can be repeated', async () => {
    const store = make();
    await store.append('d', [{ role: 'user', content: [{ text: 'hi' }] }], 0);
    const deleted: Promise<boolean> = store.delete('d');
    expect(await deleted).toBe(true);
    expect(await store.delete('d')).toBe(false);
    expect(await store.load('d')).toBeUndefined();
    const closed: Promise<void> = store.close();
    await expect(closed).resolves.toBeUndefined();
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe('loadDriver', () => {
  it('a driver that is not installed is a StoreDriverMissingError naming the package to install', async () => {
    const error = await loadDriver(
      'SomeSessionStore',
      ['@novaloop/no-such-driver'],
      () => import('@novaloop/no-such-driver' as string),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreDriverMissingError);
    expect(error).toMatchObject({
      code: 'STORE_DRIVER_MISSING',
      packages: ['@novaloop/no-such-driver'],
      message: expect.stringContaining('npm install @novaloop/no-such-driver'),
    });
  });

  it('any other failure of an installed driver keeps its own error', async () => {
    const broken = new Error('native binding failed');
    await expect(loadDriver('SomeSessionStore', ['ioredis'], () => Promise.reject(broken))).rejects.toBe(broken);
  });
});
