import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { Client } from '@libsql/client';
import { AgentConfigError, SessionConflictError, type SessionState, type SessionStore, type SessionUpdate } from '@novaloop/core';
import { checkAppend, checkSessionId } from '@novaloop/core/session-store';
import { decodeStep, encodeStep, toSessionState } from './codec.js';
import { storeFailure } from './failure.js';
import { loadDriver } from './load-driver.js';

export interface SqliteSessionStoreOptions {
  /** An existing `@libsql/client` client, used as given and never closed by the store. */
  client?: Client;
  /** Without `client`: a file path, a `file:` URL, `:memory:`, or a libSQL server URL. */
  url?: string;
  /** Without `client`: how long a write waits for another process's write lock (default 5,000 ms). */
  busyTimeoutMs?: number;
  /** Table name (default `novaloop_session_steps`); created on first use if missing. */
  table?: string;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Sessions in SQLite (or libSQL / Turso) through `@libsql/client`. One row per append:
 * `(session_id, version, step)`, primary key `(session_id, version)`. An append is one write
 * transaction whose INSERT only happens if the session's latest version is still the one the
 * caller read, so two writers (two processes on one file, too) can never both take a version.
 *
 * The store opens nothing when constructed: the client (if it makes one) and the table are created
 * on first use.
 */
export class SqliteSessionStore implements SessionStore {
  private client: Client | undefined;
  private readonly ownsClient: boolean;
  private readonly table: string;
  private ready: Promise<Client> | undefined;

  constructor(private readonly options: SqliteSessionStoreOptions) {
    if (!options.client && !options.url) {
      throw new AgentConfigError('SqliteSessionStore needs `client` (a @libsql/client Client) or `url` (a file path or ":memory:").');
    }
    const table = options.table ?? 'novaloop_session_steps';
    if (!TABLE_NAME.test(table))
      throw new AgentConfigError(`SqliteSessionStore: table name ${JSON.stringify(table)} must match ${TABLE_NAME}.`);
    this.table = table;
    this.client = options.client;
    this.ownsClient = !options.client;
  }

  async load(sessionId: string): Promise<SessionState | undefined> {
    checkSessionId(sessionId);
    try {
      const client = await this.open();
      // One statement, so it reads one snapshot even while another process appends.
      const result = await client.execute({
        sql: `SELECT version, step FROM ${this.table} WHERE session_id = ? ORDER BY version`,
        args: [sessionId],
      });
      return toSessionState(
        sessionId,
        result.rows.map((row) => {
          const version = Number(row.version);
          return { version, step: decodeStep(sessionId, version, row.step) };
        }),
      );
    } catch (error) {
      throw storeFailure(sessionId, 'load', error);
    }
  }

  async append(sessionId: string, messages: readonly Message[], expectedVersion: number, update?: SessionUpdate): Promise<number> {
    checkAppend(sessionId, messages, expectedVersion, update);
    const step = encodeStep(messages, update);
    let inserted: number;
    let latest: number;
    try {
      const client = await this.open();
      const [insert, current] = await client.batch(
        [
          {
            sql:
              `INSERT INTO ${this.table} (session_id, version, step, created_at) SELECT ?, ?, ?, ? ` +
              `WHERE (SELECT coalesce(max(version), 0) FROM ${this.table} WHERE session_id = ?) = ?`,
            args: [sessionId, expectedVersion + 1, step, Date.now(), sessionId, expectedVersion],
          },
          { sql: `SELECT coalesce(max(version), 0) AS version FROM ${this.table} WHERE session_id = ?`, args: [sessionId] },
        ],
        'write',
      );
      inserted = insert?.rowsAffected ?? 0;
      latest = Number(current?.rows[0]?.version ?? 0);
    } catch (error) {
      throw storeFailure(sessionId, 'append', error);
    }
    if (inserted !== 1) throw new SessionConflictError(sessionId, expectedVersion, latest);
    return expectedVersion + 1;
  }

  /** Deletes every step of a session; resolves to whether the session existed. */
  async delete(sessionId: string): Promise<boolean> {
    checkSessionId(sessionId);
    const client = await this.open();
    const result = await client.execute({ sql: `DELETE FROM ${this.table} WHERE session_id = ?`, args: [sessionId] });
    return result.rowsAffected > 0;
  }

  /** Closes the client the store made (a client you passed in is left open). Safe to call twice. */
  async close(): Promise<void> {
    if (this.ownsClient) this.client?.close();
  }

  private open(): Promise<Client> {
    this.ready ??= this.prepare().catch((error: unknown) => {
      // A failed start (unwritable directory, server down) is tried again by the next call.
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async prepare(): Promise<Client> {
    let client = this.client;
    if (!client) {
      const url = toUrl(this.options.url as string);
      const { createClient } = await loadDriver('SqliteSessionStore', ['@libsql/client'], () => import('@libsql/client'));
      client = createClient({ url, timeout: this.options.busyTimeoutMs ?? 5_000 });
      this.client = client;
      // WAL lets loads read while another process writes; it is a property of the file, so it is
      // only set on a database the store opened itself.
      if (url.startsWith('file:')) await client.execute('PRAGMA journal_mode = WAL');
    }
    await client.execute(
      `CREATE TABLE IF NOT EXISTS ${this.table} (` +
        'session_id TEXT NOT NULL, version INTEGER NOT NULL, step TEXT NOT NULL, created_at INTEGER NOT NULL, ' +
        'PRIMARY KEY (session_id, version))',
    );
    return client;
  }
}

function toUrl(url: string): string {
  if (url === ':memory:' || /^(file|libsql|https?|wss?):/.test(url)) return url;
  return `file:${url}`;
}
