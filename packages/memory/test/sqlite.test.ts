import { createClient, type Client } from '@libsql/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteSessionStore } from '../src/index.js';
import { describeSessionStore } from './conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'novaloop-sqlite-'));
const file = join(dir, 'sessions.db');
const stores: SqliteSessionStore[] = [];
let raw: Client | undefined;
afterAll(() => {
  for (const store of stores) store.close();
  raw?.close();
  rmSync(dir, { recursive: true, force: true });
});

const TABLE = 'novaloop_session_steps';

describeSessionStore('SqliteSessionStore (temp file)', { crossProcess: true, serialized: true }, () => ({
  create() {
    const store = new SqliteSessionStore({ url: file });
    stores.push(store);
    return store;
  },
  async corrupt(sessionId, kind) {
    raw ??= createClient({ url: `file:${file}`, timeout: 5_000 });
    const step = kind === 'not-json' ? '{"v":1,"m":[' : '{"v":1,"m":[{"role":"system","content":[]}]}';
    await raw.execute({ sql: `UPDATE ${TABLE} SET step = ? WHERE session_id = ? AND version = 2`, args: [step, sessionId] });
  },
  spec: { kind: 'sqlite', url: file },
}));

describe('SqliteSessionStore', () => {
  it('works on :memory: and on a client you pass in, which it never closes', async () => {
    const memory = new SqliteSessionStore({ url: ':memory:' });
    await memory.append('m', [{ role: 'user', content: [{ text: 'hi' }] }], 0);
    expect((await memory.load('m'))?.version).toBe(1);
    memory.close();

    const client = createClient({ url: ':memory:' });
    const given = new SqliteSessionStore({ client, table: 'my_steps' });
    await given.append('g', [{ role: 'user', content: [{ text: 'hi' }] }], 0);
    given.close();
    const rows = await client.execute('SELECT session_id, version FROM my_steps');
    expect(rows.rows.map((r) => [r.session_id, r.version])).toEqual([['g', 1]]);
    client.close();
  });

  it('a gap in the stored steps is a SessionCorruptError', async () => {
    const client = createClient({ url: ':memory:' });
    const store = new SqliteSessionStore({ client });
    for (let v = 0; v < 3; v++) await store.append('gap', [{ role: 'user', content: [{ text: `m${v}` }] }], v);
    await client.execute({ sql: `DELETE FROM ${TABLE} WHERE version = 2`, args: [] });
    await expect(store.load('gap')).rejects.toMatchObject({ code: 'SESSION_CORRUPT', message: expect.stringMatching(/step 2 is missing/) });
    client.close();
  });

  it('a database it cannot open is a SessionStoreError, and the next call tries again', async () => {
    const store = new SqliteSessionStore({ url: join(dir, 'no-such-dir', 'x.db') });
    const error = await store.load('s').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SESSION_STORE', sessionId: 's', message: expect.stringMatching(/could not load session s/) });
    await expect(store.append('s', [], 0)).rejects.toMatchObject({
      code: 'SESSION_STORE',
      message: expect.stringMatching(/could not append/),
    });
  });

  it('refuses options that cannot work', () => {
    expect(() => new SqliteSessionStore({})).toThrow(/needs `client`/);
    expect(() => new SqliteSessionStore({ url: ':memory:', table: 'x; DROP TABLE y' })).toThrow(/table name/);
  });
});
