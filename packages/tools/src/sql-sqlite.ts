import { existsSync } from 'node:fs';
import { ToolCallError } from './errors.js';
import { SqliteProcess } from './sqlite-process.js';
import { limitRows, type SqlResult } from './sql-result.js';
import type { SqlLimits } from './sql-postgres.js';

/** The part of a `@libsql/client` Client the tool uses. */
export interface LibsqlClientLike {
  execute(sql: string): Promise<ResultSetLike>;
  transaction(mode: 'read'): Promise<{ execute(sql: string): Promise<ResultSetLike>; close(): void }>;
}

interface ResultSetLike {
  columns: readonly string[];
  rows: readonly ArrayLike<unknown>[];
}

/**
 * Runs one statement on SQLite with writes refused by SQLite itself: `PRAGMA query_only` on a
 * connection of its own, inside a transaction that is rolled back. libsql cannot open a file
 * read-only (`?mode=ro` is refused by @libsql/client), and query_only is the engine's own switch: any
 * change to the database file fails with SQLITE_READONLY. A fresh connection per call means a
 * statement that flips a pragma changes nothing for the next one. For a `url`, queries run in a
 * child process killed at `timeoutMs` (see SqliteProcess); a caller's own client runs in-process,
 * without a time limit.
 */
export class SqliteBackend {
  private readonly process = new SqliteProcess();
  constructor(
    private readonly url: string | undefined,
    private readonly shared: LibsqlClientLike | undefined,
    /** The file behind `url`. */
    private readonly path?: string,
  ) {}

  async run(sql: string, limits: SqlLimits): Promise<SqlResult> {
    if (this.shared !== undefined) {
      // The caller's client: its transaction() moves the connection out of the client, so the
      // pragma and the statement share a connection that is dropped afterwards.
      let tx;
      try {
        tx = await this.shared.transaction('read');
        await tx.execute('PRAGMA query_only = 1');
      } catch (error) {
        tx?.close();
        throw mapSqliteError(error);
      }
      try {
        return toResult(await execute(tx.execute.bind(tx), sql), limits);
      } finally {
        tx.close();
      }
    }
    // libsql creates a missing file; a file deleted since the tool was made must stay deleted.
    if (this.path !== undefined && !existsSync(this.path)) {
      throw new ToolCallError('SQL_FAILED', `The database file ${this.path} no longer exists. Tell the user; do not retry.`);
    }
    const reply = await this.process.query(this.url as string, sql, limits.maxRows, limits.timeoutMs);
    if (!reply.ok) throw mapSqliteError(reply);
    return limitRows(reply.columns, reply.rows, reply.more, limits.maxRows, limits.maxBytes);
  }

  async close(): Promise<void> {
    this.process.close();
  }
}

async function execute(run: (sql: string) => Promise<ResultSetLike>, sql: string): Promise<ResultSetLike> {
  try {
    return await run(sql);
  } catch (error) {
    throw mapSqliteError(error);
  }
}

function toResult(set: ResultSetLike, limits: SqlLimits): SqlResult {
  const columns = [...set.columns];
  const rows = set.rows.map((row) => columns.map((_, index) => row[index]));
  return limitRows(columns, rows, false, limits.maxRows, limits.maxBytes);
}

function mapSqliteError(error: unknown): ToolCallError {
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : ((error as { message?: string }).message ?? String(error));
  if (code.startsWith('SQLITE_READONLY')) {
    return new ToolCallError(
      'SQL_READ_ONLY',
      `The database is read-only: ${message}. Only queries that read (SELECT) are possible; do not retry writes.`,
      { cause: error },
    );
  }
  return new ToolCallError('SQL_FAILED', `The query failed: ${message}. Fix the query and try again.`, { cause: error });
}
