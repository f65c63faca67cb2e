// Session-store latency: how long one append (a step: the assistant's toolUse and its toolResult,
// about 1.3 KB) and one load take on each store, measured the way the agent loop uses them (load
// once per run, append once per step). SQLite uses a temp file; Redis is Debian's redis-server on
// loopback; DynamoDB is dynalite in this process, so its figures are the SDK client plus a local
// emulator, not the network round trip to AWS.
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { InMemorySessionStore, type SessionStore } from '@novaloop/core';
import { DynamoDBSessionStore, RedisSessionStore, SqliteSessionStore, createSessionTable } from '@novaloop/memory';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
// The same servers the memory package's tests use.
import { startDynalite, startRedisServer } from '@novaloop/test-servers';

export interface StoreFigures {
  store: string;
  appends: number;
  appendMedianMs: number;
  appendP95Ms: number;
  /** Load of a session holding `appends` steps. */
  loadMedianMs: number;
  loadP95Ms: number;
}

export interface SessionStoreBenchOptions {
  /** Steps appended to one session, each timed (default 200). */
  appends?: number;
  /** Loads of that session, each timed (default 100). */
  loads?: number;
  /** Untimed appends and loads on another session first (default 20). */
  warmup?: number;
  /** Called with a note when a store cannot run here (no redis-server). */
  onSkip?: (store: string, reason: string) => void;
}

const step = (i: number): Message[] => [
  {
    role: 'assistant',
    content: [{ toolUse: { toolUseId: `tooluse_${i}`, name: 'query_database', input: { query: `SELECT * FROM ecs_tasks LIMIT ${i}` } } }],
  },
  {
    role: 'user',
    content: [
      {
        toolResult: {
          toolUseId: `tooluse_${i}`,
          content: [
            { json: { rows: Array.from({ length: 20 }, (_, r) => ({ service: `service-${r}`, failed: r, region: 'us-east-1' })) } },
          ],
        },
      },
    ],
  },
];

export async function sessionStores(options: SessionStoreBenchOptions = {}): Promise<StoreFigures[]> {
  const appends = options.appends ?? 200;
  const loads = options.loads ?? 100;
  const warmup = options.warmup ?? 20;
  const dir = mkdtempSync(join(tmpdir(), 'novaloop-bench-'));
  const figures: StoreFigures[] = [];
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const stores: [string, () => Promise<SessionStore | undefined>][] = [
      ['in-memory (core)', async () => new InMemorySessionStore()],
      [
        'sqlite (temp file, WAL)',
        async () => {
          const store = new SqliteSessionStore({ url: join(dir, 'bench.db') });
          cleanups.push(() => store.close());
          return store;
        },
      ],
      [
        'redis (redis-server, loopback)',
        async () => {
          const server = await startRedisServer().catch((error: unknown) => {
            options.onSkip?.('redis', error instanceof Error ? error.message : String(error));
            return undefined;
          });
          if (!server) return undefined;
          const store = new RedisSessionStore({ url: server.url });
          cleanups.push(
            () => server.stop(),
            () => store.close(),
          );
          return store;
        },
      ],
      [
        'dynamodb (dynalite, in-process)',
        async () => {
          const dynalite = await startDynalite();
          const client = new DynamoDBClient({
            endpoint: dynalite.endpoint,
            region: 'us-east-1',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          });
          await createSessionTable(client, { tableName: 'bench-sessions', timeToLive: false });
          cleanups.push(
            () => dynalite.stop(),
            () => client.destroy(),
          );
          return new DynamoDBSessionStore({ client, tableName: 'bench-sessions' });
        },
      ],
    ];
    for (const [name, make] of stores) {
      const store = await make();
      if (store) figures.push(await measure(name, store, appends, loads, warmup));
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
  return figures;
}

async function measure(name: string, store: SessionStore, appends: number, loads: number, warmup: number): Promise<StoreFigures> {
  for (let i = 0; i < warmup; i++) {
    await store.append('warmup', step(i), i);
    await store.load('warmup');
  }
  const appendTimes: number[] = [];
  for (let i = 0; i < appends; i++) {
    const t = performance.now();
    await store.append('measured', step(i), i);
    appendTimes.push(performance.now() - t);
  }
  const loadTimes: number[] = [];
  for (let i = 0; i < loads; i++) {
    const t = performance.now();
    const state = await store.load('measured');
    loadTimes.push(performance.now() - t);
    if (state?.version !== appends) throw new Error(`${name}: loaded version ${state?.version}, expected ${appends}`);
  }
  appendTimes.sort((a, b) => a - b);
  loadTimes.sort((a, b) => a - b);
  return {
    store: name,
    appends,
    appendMedianMs: percentile(appendTimes, 50),
    appendP95Ms: percentile(appendTimes, 95),
    loadMedianMs: percentile(loadTimes, 50),
    loadP95Ms: percentile(loadTimes, 95),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
