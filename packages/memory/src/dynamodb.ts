import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type * as ClientDynamoDB from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as LibDynamoDB from '@aws-sdk/lib-dynamodb';
import {
  AgentConfigError,
  SessionConflictError,
  SessionCorruptError,
  type SessionState,
  type SessionStore,
  type SessionUpdate,
} from '@novaloop/core';
import { checkAppend, checkSessionId } from '@novaloop/core/session-store';
import { randomUUID } from 'node:crypto';
import { decodeStep, encodeStep, toSessionState } from './codec.js';
import { storeFailure } from './failure.js';
import { loadDriver } from './load-driver.js';

const DRIVER_PACKAGES = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];

type Lib = typeof LibDynamoDB;

/** Both driver packages, loaded on first use. */
async function loadDynamoDB(who: string): Promise<{ client: typeof ClientDynamoDB; lib: Lib }> {
  const [client, lib] = await Promise.all([
    loadDriver(who, DRIVER_PACKAGES, () => import('@aws-sdk/client-dynamodb')),
    loadDriver(who, DRIVER_PACKAGES, () => import('@aws-sdk/lib-dynamodb')),
  ]);
  return { client, lib };
}

/**
 * The table layout, for infrastructure as code:
 * - partition key `pk` (String), sort key `sk` (Number), on-demand billing works well;
 * - TTL attribute `expiresAt` (Number, epoch seconds), if you use `ttlSeconds`.
 *
 * A session is the item collection `pk = "session#<sessionId>"`, one item per step with
 * `sk` = the step's version (1, 2, 3…) and the step's JSON in `step` (String). A step over
 * `INLINE_STEP_BYTES` is stored instead as `blob` (String id), `parts` and `bytes` (Number), with its
 * bytes in items `pk = "blob#<id>"`, `sk` = 0, 1, 2…, `data` (Binary). No item ever nears DynamoDB's
 * 400 KB limit, however long the session or large a tool result.
 */
export const DYNAMODB_KEY_SCHEMA = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'N' },
  timeToLiveAttribute: 'expiresAt',
} as const;

/** Largest step kept in its own item; bigger ones are split into blob parts of this size. */
export const INLINE_STEP_BYTES = 350_000;

export interface DynamoDBSessionStoreOptions {
  tableName: string;
  /** An existing client (plain or document client), used as given and never destroyed by the store. */
  client?: DynamoDBClient | DynamoDBDocumentClient;
  /** Without `client`: the config of the client the store makes (region, endpoint, credentials…). */
  clientConfig?: DynamoDBClientConfig;
  /**
   * Every item of a session gets `expiresAt` = its first append + this many seconds, for DynamoDB's
   * TTL. The expiry is fixed at creation, not refreshed: refreshing would rewrite every item of the
   * session. An expired session loads as absent, even before DynamoDB deletes it.
   */
  ttlSeconds?: number;
  /** Milliseconds since the epoch; for tests that move time. */
  now?: () => number;
}

interface StepItem {
  pk: string;
  sk: number;
  step?: unknown;
  blob?: unknown;
  parts?: unknown;
  bytes?: unknown;
  expiresAt?: unknown;
}

/** What this process knows about a session: a version that surely exists, and its expiry. */
interface Known {
  version: number;
  expiresAt: number | undefined;
}

const KNOWN_LIMIT = 10_000;

/**
 * Sessions in DynamoDB through `@aws-sdk/lib-dynamodb`. An append is one conditional PutItem of the
 * item `sk = expectedVersion + 1` (`attribute_not_exists(pk)`): of two writers at one version,
 * DynamoDB lets exactly one write it, and the other gets `SessionConflictError`. No transaction is
 * needed (so no doubled write cost), because no stored item is ever changed. Before writing, the
 * store makes sure item `sk = expectedVersion` exists (from its own last load or append, or with a
 * GetItem), so no append can leave a gap.
 */
export class DynamoDBSessionStore implements SessionStore {
  private driver: Promise<{ doc: DynamoDBDocumentClient; lib: Lib }> | undefined;
  private owned: DynamoDBClient | undefined;
  private closed = false;
  private readonly tableName: string;
  private readonly ttlSeconds: number | undefined;
  private readonly now: () => number;
  private readonly known = new Map<string, Known>();

  constructor(private readonly options: DynamoDBSessionStoreOptions) {
    if (typeof options.tableName !== 'string' || options.tableName.length < 3) {
      throw new AgentConfigError('DynamoDBSessionStore needs `tableName` (3 to 255 characters); see createSessionTable.');
    }
    if (options.ttlSeconds !== undefined && !(options.ttlSeconds > 0)) {
      throw new AgentConfigError('DynamoDBSessionStore: `ttlSeconds` must be a positive number of seconds.');
    }
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlSeconds;
    this.now = options.now ?? Date.now;
  }

  /** The document client and command classes; the driver packages load on the first call. */
  private open(): Promise<{ doc: DynamoDBDocumentClient; lib: Lib }> {
    this.driver ??= loadDynamoDB('DynamoDBSessionStore').then(
      ({ client, lib }) => {
        const given = this.options.client;
        if (given instanceof lib.DynamoDBDocumentClient) return { doc: given, lib };
        // Making an SDK client opens nothing: connections are made by the first request.
        if (!given && !this.closed) this.owned = new client.DynamoDBClient(this.options.clientConfig ?? {});
        const base = given ?? this.owned;
        if (!base) throw new AgentConfigError('DynamoDBSessionStore: the store is closed.');
        return { doc: lib.DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }), lib };
      },
      (error: unknown) => {
        this.driver = undefined;
        throw error;
      },
    );
    return this.driver;
  }

  async load(sessionId: string): Promise<SessionState | undefined> {
    checkSessionId(sessionId);
    let items: StepItem[];
    try {
      items = await this.queryAll(sessionKey(sessionId));
    } catch (error) {
      throw storeFailure(sessionId, 'load', error);
    }
    if (items.length === 0) return undefined;
    const expiresAt = numberOrUndefined(items[0]?.expiresAt);
    if (expiresAt !== undefined && expiresAt * 1000 <= this.now()) return undefined;

    const steps = [];
    for (const item of items) {
      const version = Number(item.sk);
      let text: unknown = item.step;
      if (item.step === undefined) {
        try {
          text = await this.readBlob(sessionId, version, item);
        } catch (error) {
          throw storeFailure(sessionId, 'load', error);
        }
      }
      steps.push({ version, step: decodeStep(sessionId, version, text) });
    }
    const state = toSessionState(sessionId, steps);
    if (state) this.remember(sessionId, { version: state.version, expiresAt });
    return state;
  }

  async append(sessionId: string, messages: readonly Message[], expectedVersion: number, update?: SessionUpdate): Promise<number> {
    checkAppend(sessionId, messages, expectedVersion, update);
    const text = encodeStep(messages, update);
    const blobIds: string[] = [];
    try {
      let expiresAt: number | undefined;
      if (expectedVersion === 0) {
        expiresAt = this.ttlSeconds === undefined ? undefined : Math.floor(this.now() / 1000 + this.ttlSeconds);
      } else {
        const previous = await this.previousStep(sessionId, expectedVersion);
        if (!previous) throw new SessionConflictError(sessionId, expectedVersion, await this.latestVersion(sessionId));
        expiresAt = previous.expiresAt;
      }

      const item: Record<string, unknown> = { pk: sessionKey(sessionId), sk: expectedVersion + 1, createdAt: this.now() };
      if (expiresAt !== undefined) item.expiresAt = expiresAt;
      const bytes = Buffer.from(text, 'utf8');
      if (bytes.length <= INLINE_STEP_BYTES) {
        item.step = text;
      } else {
        const blob = randomUUID();
        blobIds.push(blob);
        item.blob = blob;
        item.parts = await this.writeBlob(blob, bytes, expiresAt);
        item.bytes = bytes.length;
      }

      let written = await this.putStep(item);
      if (!written && expectedVersion === 0 && (await this.purgeIfExpired(sessionId))) written = await this.putStep(item);
      if (!written) throw new SessionConflictError(sessionId, expectedVersion, await this.latestVersion(sessionId));
      this.remember(sessionId, { version: expectedVersion + 1, expiresAt });
      return expectedVersion + 1;
    } catch (error) {
      // The parts of a step that lost its race would never be read: delete them now.
      if (blobIds.length > 0) await Promise.allSettled(blobIds.map((blob) => this.deleteCollection(blobKey(blob))));
      throw storeFailure(sessionId, 'append', error);
    }
  }

  /**
   * Deletes every item of a session (and of its large steps); resolves to whether the session existed.
   * Only for a session nobody is using: another process that loaded it before the delete still
   * believes its steps exist, and its next append would start the new session at a later version.
   */
  async delete(sessionId: string): Promise<boolean> {
    checkSessionId(sessionId);
    const items = await this.queryAll(sessionKey(sessionId));
    for (const item of items) if (typeof item.blob === 'string') await this.deleteCollection(blobKey(item.blob));
    await this.deleteCollection(sessionKey(sessionId), items);
    this.known.delete(sessionId);
    return items.length > 0;
  }

  /** Destroys the client the store made (a client you passed in is left alone). Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    this.owned?.destroy();
    this.owned = undefined;
  }

  private async putStep(item: Record<string, unknown>): Promise<boolean> {
    const { doc, lib } = await this.open();
    try {
      await doc.send(new lib.PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Step `version`'s expiry if that step exists; known from this process's last load or append if it can be. */
  private async previousStep(sessionId: string, version: number): Promise<{ expiresAt: number | undefined } | undefined> {
    const { doc, lib } = await this.open();
    const known = this.known.get(sessionId);
    // A known step stays (nothing is deleted but expired sessions), so it needs no read.
    const alive = known && (known.expiresAt === undefined || known.expiresAt * 1000 > this.now());
    if (known && alive && known.version >= version) return { expiresAt: known.expiresAt };
    const found = await doc.send(
      new lib.GetCommand({
        TableName: this.tableName,
        Key: { pk: sessionKey(sessionId), sk: version },
        ConsistentRead: true,
        ProjectionExpression: 'sk, expiresAt',
      }),
    );
    if (!found.Item) return undefined;
    const expiresAt = numberOrUndefined(found.Item.expiresAt);
    if (expiresAt !== undefined && expiresAt * 1000 <= this.now()) return undefined;
    return { expiresAt };
  }

  private async latestVersion(sessionId: string): Promise<number> {
    const { doc, lib } = await this.open();
    const result = await doc.send(
      new lib.QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': sessionKey(sessionId) },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
        ProjectionExpression: 'sk, expiresAt',
      }),
    );
    const last = result.Items?.[0];
    const expiresAt = numberOrUndefined(last?.expiresAt);
    if (!last || (expiresAt !== undefined && expiresAt * 1000 <= this.now())) return 0;
    return Number(last.sk);
  }

  /**
   * An expired session still holds its items until DynamoDB's TTL sweep (which can take days).
   * Starting it anew needs them gone; only items that are still expired are deleted, so a writer
   * that restarted the session meanwhile keeps its steps.
   */
  private async purgeIfExpired(sessionId: string): Promise<boolean> {
    const { doc, lib } = await this.open();
    const items = await this.queryAll(sessionKey(sessionId), ['pk', 'sk', 'expiresAt', 'blob']);
    const nowSeconds = this.now() / 1000;
    const expired = items.filter((item) => {
      const expiresAt = numberOrUndefined(item.expiresAt);
      return expiresAt !== undefined && expiresAt <= nowSeconds;
    });
    if (expired.length === 0 || expired.length !== items.length) return false;
    await Promise.all(
      expired.map((item) =>
        doc
          .send(
            new lib.DeleteCommand({
              TableName: this.tableName,
              Key: { pk: item.pk, sk: item.sk },
              ConditionExpression: 'expiresAt <= :now',
              ExpressionAttributeValues: { ':now': Math.floor(nowSeconds) },
            }),
          )
          .then(() => (typeof item.blob === 'string' ? this.deleteCollection(blobKey(item.blob)) : undefined))
          .catch((error: unknown) => {
            if (!isConditionFailure(error)) throw error;
          }),
      ),
    );
    this.known.delete(sessionId);
    return true;
  }

  private async writeBlob(blob: string, bytes: Buffer, expiresAt: number | undefined): Promise<number> {
    const { doc, lib } = await this.open();
    const parts = Math.ceil(bytes.length / INLINE_STEP_BYTES);
    await Promise.all(
      Array.from({ length: parts }, (_, i) => {
        const item: Record<string, unknown> = {
          pk: blobKey(blob),
          sk: i,
          data: new Uint8Array(bytes.subarray(i * INLINE_STEP_BYTES, (i + 1) * INLINE_STEP_BYTES)),
        };
        if (expiresAt !== undefined) item.expiresAt = expiresAt;
        return doc.send(new lib.PutCommand({ TableName: this.tableName, Item: item }));
      }),
    );
    return parts;
  }

  private async readBlob(sessionId: string, version: number, item: StepItem): Promise<string> {
    const corrupt = (detail: string) => new SessionCorruptError(sessionId, `step ${version} ${detail}`);
    if (typeof item.blob !== 'string' || typeof item.parts !== 'number' || typeof item.bytes !== 'number') {
      throw corrupt('has neither `step` text nor a complete `blob` reference');
    }
    const parts = await this.queryAll(blobKey(item.blob));
    const chunks = parts.map((part) => (part as unknown as { data?: unknown }).data);
    if (chunks.length !== item.parts || !chunks.every((chunk): chunk is Uint8Array => chunk instanceof Uint8Array)) {
      throw corrupt(`should have ${item.parts} blob parts and has ${chunks.length}`);
    }
    const joined = Buffer.concat(chunks);
    if (joined.length !== item.bytes) throw corrupt(`should be ${item.bytes} bytes and is ${joined.length}`);
    return joined.toString('utf8');
  }

  private async queryAll(pk: string, projection?: string[]): Promise<StepItem[]> {
    const { doc, lib } = await this.open();
    // Names go through ExpressionAttributeNames: `blob` and `data` are DynamoDB reserved words.
    const names = projection ? Object.fromEntries(projection.map((name, i) => [`#p${i}`, name])) : undefined;
    const items: StepItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new lib.QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...(names ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } : {}),
        }),
      );
      for (const item of page.Items ?? []) items.push(item as StepItem);
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async deleteCollection(pk: string, items?: StepItem[]): Promise<void> {
    const { doc, lib } = await this.open();
    const keys = items ?? (await this.queryAll(pk, ['pk', 'sk']));
    await Promise.all(
      keys.map((item) => doc.send(new lib.DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }))),
    );
  }

  private remember(sessionId: string, known: Known): void {
    this.known.delete(sessionId);
    this.known.set(sessionId, known);
    if (this.known.size > KNOWN_LIMIT) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }
}

export interface CreateSessionTableOptions {
  tableName: string;
  /** Turn on DynamoDB TTL on `expiresAt` (default true). */
  timeToLive?: boolean;
  /** How long to wait for the table to become ACTIVE (default 120 s). */
  waitSeconds?: number;
}

/**
 * Creates the table `DynamoDBSessionStore` uses (on-demand billing) and waits until it is active.
 * Returns `{ created: false }` if it already exists. For infrastructure as code, see
 * `DYNAMODB_KEY_SCHEMA`.
 */
export async function createSessionTable(
  client: Pick<DynamoDBClient, 'send'>,
  options: CreateSessionTableOptions,
): Promise<{ created: boolean }> {
  const { tableName } = options;
  const { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand } = (await loadDynamoDB('createSessionTable')).client;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceInUseException') return { created: false };
    throw error;
  }
  const deadline = Date.now() + (options.waitSeconds ?? 120) * 1000;
  for (let delay = 50; ; delay = Math.min(delay * 2, 2_000)) {
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (described.Table?.TableStatus === 'ACTIVE') break;
    if (Date.now() > deadline)
      throw new Error(`Table ${tableName} is still ${described.Table?.TableStatus} after waiting; check it in the console.`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  if (options.timeToLive ?? true) {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }),
    );
  }
  return { created: true };
}

const sessionKey = (sessionId: string) => `session#${sessionId}`;
const blobKey = (blob: string) => `blob#${blob}`;

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
