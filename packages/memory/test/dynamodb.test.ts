import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBSessionStore, INLINE_STEP_BYTES, createSessionTable } from '../src/index.js';
import { describeSessionStore } from './conformance.js';
import { startDynalite, type Dynalite } from '@novaloop/test-servers';
import { dynamoClientConfig } from './fixtures/stores.js';
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { APPROVAL_SCRIPT, approvalAgent } from './fixtures/approval.js';

const TABLE = 'novaloop-sessions';
let dynalite: Dynalite;
let client: DynamoDBClient;
let raw: DynamoDBDocumentClient;
const stores: DynamoDBSessionStore[] = [];

beforeAll(async () => {
  dynalite = await startDynalite();
  client = new DynamoDBClient(dynamoClientConfig(dynalite.endpoint));
  raw = DynamoDBDocumentClient.from(client);
  expect(await createSessionTable(client, { tableName: TABLE, timeToLive: false })).toEqual({ created: true });
});
afterAll(async () => {
  for (const store of stores) store.close();
  client?.destroy();
  await dynalite?.stop();
});

const storeOn = (options: Partial<ConstructorParameters<typeof DynamoDBSessionStore>[0]> = {}) => {
  const store = new DynamoDBSessionStore({ tableName: TABLE, clientConfig: dynamoClientConfig(dynalite.endpoint), ...options });
  stores.push(store);
  return store;
};
const itemsOf = async (pk: string) =>
  (await raw.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } })))
    .Items ?? [];
/** DynamoDB's item size: attribute names plus values (strings and binary by their bytes, numbers ~8). */
const itemBytes = (item: Record<string, unknown>) =>
  Object.entries(item).reduce(
    (sum, [name, value]) =>
      sum +
      Buffer.byteLength(name) +
      (typeof value === 'string' ? Buffer.byteLength(value) : value instanceof Uint8Array ? value.byteLength : 8),
    0,
  );
/** Every blob part key in the table (a full, paginated scan). */
async function blobKeys(): Promise<string[]> {
  const keys: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await raw.send(new ScanCommand({ TableName: TABLE, ProjectionExpression: 'pk, sk', ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) if (String(item.pk).startsWith('blob#')) keys.push(`${String(item.pk)}/${String(item.sk)}`);
    start = page.LastEvaluatedKey;
  } while (start);
  return keys.sort();
}
const msg = (role: 'user' | 'assistant', text: string): Message => ({ role, content: [{ text }] });

describeSessionStore('DynamoDBSessionStore (dynalite)', { crossProcess: true, serialized: true }, () => ({
  create: () => storeOn(),
  async corrupt(sessionId, kind) {
    const step = kind === 'not-json' ? '{"v":1,"m":[' : '{"v":1,"m":[{"role":"system","content":[]}]}';
    await raw.send(new PutCommand({ TableName: TABLE, Item: { pk: `session#${sessionId}`, sk: 2, step } }));
  },
  spec: { kind: 'dynamodb', endpoint: dynalite.endpoint, tableName: TABLE },
}));

describe('DynamoDBSessionStore', () => {
  it('a paused session left past ttlSeconds is gone: resume is RESUME_NOTHING_PENDING, and a new run starts afresh', async () => {
    const bedrock = await startLocalBedrock({ script: APPROVAL_SCRIPT });
    let now = Date.now();
    const agent = approvalAgent(storeOn({ ttlSeconds: 60, now: () => now }), bedrock.endpoint);
    try {
      const paused = await agent.run('Restart prod-api.', { sessionId: 'paused-ttl' });
      expect(paused.stopReason).toBe('needs_approval');
      now += 61_000;
      const answer = [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true as const }];
      await expect(agent.resume('paused-ttl', answer)).rejects.toMatchObject({ code: 'RESUME_NOTHING_PENDING' });
      expect((await agent.run('Restart prod-api.', { sessionId: 'paused-ttl' })).stopReason).toBe('needs_approval');
    } finally {
      agent.close();
      await bedrock.close();
    }
  });

  it('keeps a 1 MB session, with a step larger than an item may be, in items well under 400 KB', async () => {
    const store = storeOn();
    const bigResult = 'x'.repeat(90_000);
    const messages: Message[] = [];
    let version = 0;
    for (let i = 0; i < 8; i++) {
      const step = [msg('user', `question ${i}`), { role: 'assistant' as const, content: [{ text: `${i} ${bigResult}` }] }];
      messages.push(...step);
      version = await store.append('big', step, version);
    }
    // One tool result of 600 KB: more than one item can hold, so it goes to blob parts.
    const huge: Message[] = [
      {
        role: 'assistant',
        content: [{ toolUse: { toolUseId: 't1', name: 'dump_logs', input: {} } }],
      },
      { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'é'.repeat(300_000) }] } }] },
    ];
    messages.push(...huge);
    version = await store.append('big', huge, version);

    const loaded = await storeOn().load('big');
    expect(loaded?.version).toBe(9);
    expect(loaded?.messages).toEqual(messages);
    expect(Buffer.byteLength(JSON.stringify(loaded?.messages))).toBeGreaterThan(1_000_000);

    const items = await itemsOf('session#big');
    expect(items).toHaveLength(9);
    const blobStep = items[8] as { blob: string; parts: number; bytes: number; step?: string };
    expect(blobStep.step).toBeUndefined();
    expect(blobStep.parts).toBe(2);
    const parts = await itemsOf(`blob#${blobStep.blob}`);
    expect(parts).toHaveLength(2);
    for (const item of [...items, ...parts]) expect(itemBytes(item)).toBeLessThan(INLINE_STEP_BYTES + 1_000);
  });

  it('ttlSeconds puts one expiresAt, fixed at the first append, on every item; an expired session loads as absent and starts anew', async () => {
    let now = Date.UTC(2026, 10, 22, 12, 0, 0);
    const store = storeOn({ ttlSeconds: 3_600, now: () => now });
    await store.append('ttl', [msg('user', 'a'), msg('assistant', 'b')], 0);
    now += 60_000;
    await store.append('ttl', [msg('user', 'x'.repeat(INLINE_STEP_BYTES + 10))], 1);
    const expected = Date.UTC(2026, 10, 22, 13, 0, 0) / 1000;
    const items = await itemsOf('session#ttl');
    expect(items.map((item) => item.expiresAt)).toEqual([expected, expected]);
    const parts = await itemsOf(`blob#${String(items[1]?.blob)}`);
    expect(parts.length).toBeGreaterThan(0);
    for (const part of parts) expect(part.expiresAt).toBe(expected);

    // Another process, which never loaded the session, reads the expiry from the stored step.
    now += 60_000;
    const other = storeOn({ ttlSeconds: 3_600, now: () => now });
    await other.append('ttl', [msg('assistant', 'c')], 2);
    expect((await itemsOf('session#ttl')).map((item) => item.expiresAt)).toEqual([expected, expected, expected]);

    now = expected * 1000 + 1;
    expect(await store.load('ttl')).toBeUndefined();
    await expect(store.append('ttl', [msg('user', 'late')], 3)).rejects.toMatchObject({ code: 'SESSION_CONFLICT', actualVersion: 0 });
    expect(await store.append('ttl', [msg('user', 'fresh')], 0)).toBe(1);
    const fresh = await store.load('ttl');
    expect(fresh?.messages).toEqual([msg('user', 'fresh')]);
    expect((await itemsOf('session#ttl')).map((item) => item.expiresAt)).toEqual([Math.floor(now / 1000) + 3_600]);
    expect(await itemsOf(`blob#${String(items[1]?.blob)}`)).toEqual([]);
  });

  it('an append naming a version the session does not have never leaves a gap', async () => {
    await storeOn().append('gap', [msg('user', 'a')], 0);
    await storeOn().append('gap', [msg('assistant', 'b')], 1);
    const error = await storeOn()
      .append('gap', [msg('user', 'c')], 5)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SESSION_CONFLICT', expectedVersion: 5, actualVersion: 2 });
    expect(await itemsOf('session#gap')).toHaveLength(2);
  });

  it('a missing step or blob part is a SessionCorruptError', async () => {
    const store = storeOn();
    for (let v = 0; v < 3; v++) await store.append('holes', [msg('user', `m${v}`)], v);
    await raw.send(new DeleteCommand({ TableName: TABLE, Key: { pk: 'session#holes', sk: 2 } }));
    await expect(store.load('holes')).rejects.toMatchObject({
      code: 'SESSION_CORRUPT',
      message: expect.stringMatching(/step 2 is missing/),
    });

    await store.append('parts', [msg('user', 'y'.repeat(INLINE_STEP_BYTES * 2))], 0);
    const [step] = await itemsOf('session#parts');
    await raw.send(new DeleteCommand({ TableName: TABLE, Key: { pk: `blob#${String(step?.blob)}`, sk: 1 } }));
    await expect(store.load('parts')).rejects.toMatchObject({
      code: 'SESSION_CORRUPT',
      message: expect.stringMatching(/should have 3 blob parts and has 2/),
    });
  });

  it('the losing writer of a large step deletes its blob parts', async () => {
    const a = storeOn();
    const b = storeOn();
    await a.append('race', [msg('user', 'a')], 0);
    await b.load('race');
    await a.append('race', [msg('assistant', 'first')], 1);
    const before = await blobKeys();
    await expect(b.append('race', [msg('assistant', 'z'.repeat(INLINE_STEP_BYTES + 1))], 1)).rejects.toMatchObject({
      code: 'SESSION_CONFLICT',
    });
    expect(await blobKeys()).toEqual(before);
    // The same step does land when its version is right, so the parts really were written and removed.
    await b.load('race');
    await b.append('race', [msg('assistant', 'z'.repeat(INLINE_STEP_BYTES + 1))], 2);
    expect((await blobKeys()).length).toBeGreaterThan(before.length);
  });

  it('delete removes a session and its blob parts', async () => {
    const store = storeOn();
    await store.append('gone', [msg('user', 'q'.repeat(INLINE_STEP_BYTES + 1))], 0);
    await store.append('gone', [msg('assistant', 'a')], 1);
    const [first] = await itemsOf('session#gone');
    expect(await store.delete('gone')).toBe(true);
    expect(await store.delete('gone')).toBe(false);
    expect(await itemsOf('session#gone')).toEqual([]);
    expect(await itemsOf(`blob#${String(first?.blob)}`)).toEqual([]);
    expect(await store.load('gone')).toBeUndefined();
  });

  it('uses a client you pass in (plain or document client) and never destroys it', async () => {
    const mine = new DynamoDBClient(dynamoClientConfig(dynalite.endpoint));
    const plain = new DynamoDBSessionStore({ tableName: TABLE, client: mine });
    await plain.append('given', [msg('user', 'a')], 0);
    plain.close();
    const viaDoc = new DynamoDBSessionStore({ tableName: TABLE, client: DynamoDBDocumentClient.from(mine) });
    expect((await viaDoc.load('given'))?.version).toBe(1);
    mine.destroy();
  });

  it('an unreachable endpoint or a missing table is a SessionStoreError', async () => {
    const down = storeOn({ clientConfig: { ...dynamoClientConfig('http://127.0.0.1:1'), maxAttempts: 1 } });
    await expect(down.load('s')).rejects.toMatchObject({
      code: 'SESSION_STORE',
      message: expect.stringMatching(/could not load session s/),
    });
    const noTable = storeOn({ tableName: 'no-such-table' });
    await expect(noTable.append('s', [msg('user', 'a')], 0)).rejects.toMatchObject({
      code: 'SESSION_STORE',
      message: expect.stringMatching(/could not append session s: .*(not found|non-existent)/i),
    });
  });

  it('refuses options that cannot work', () => {
    expect(() => new DynamoDBSessionStore({ tableName: '' })).toThrow(/needs `tableName`/);
    expect(() => new DynamoDBSessionStore({ tableName: TABLE, ttlSeconds: -1 })).toThrow(/ttlSeconds/);
  });
});

describe('createSessionTable', () => {
  it('says so when the table exists', async () => {
    expect(await createSessionTable(client, { tableName: TABLE, timeToLive: false })).toEqual({ created: false });
  });

  it('creates the documented key schema, waits for ACTIVE and turns TTL on expiresAt', async () => {
    // dynalite has no UpdateTimeToLive, so this records what would reach DynamoDB.
    const sent: object[] = [];
    let describes = 0;
    const recorder = {
      send: async (command: object) => {
        sent.push(command);
        if (command instanceof DescribeTableCommand) return { Table: { TableStatus: ++describes < 2 ? 'CREATING' : 'ACTIVE' } };
        return {};
      },
    } as unknown as DynamoDBClient;
    expect(await createSessionTable(recorder, { tableName: 'sessions' })).toEqual({ created: true });
    expect(sent.map((c) => c.constructor.name)).toEqual([
      'CreateTableCommand',
      'DescribeTableCommand',
      'DescribeTableCommand',
      'UpdateTimeToLiveCommand',
    ]);
    expect((sent[0] as CreateTableCommand).input).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect((sent[3] as UpdateTimeToLiveCommand).input).toEqual({
      TableName: 'sessions',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});
