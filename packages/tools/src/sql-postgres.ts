import type { Pool, PoolClient, QueryResult } from 'pg';
import type Cursor from 'pg-cursor';
import { ToolCallError } from './errors.js';
import { loadDriver } from './load-driver.js';
import { limitRows, type SqlResult } from './sql-result.js';

export interface SqlLimits {
  maxRows: number;
  maxBytes: number;
  timeoutMs: number;
}

/** A `pg.Pool` the caller owns (typed loosely so that `pg`'s types stay optional). */
export interface PgPoolLike {
  connect(): Promise<unknown>;
}

type PgModule = { default: { Pool: typeof Pool } };
type CursorModule = { default: typeof Cursor };

/**
 * Runs one statement inside `BEGIN READ ONLY` with `SET LOCAL statement_timeout`, through a cursor
 * so at most maxRows + 1 rows ever leave the server, then rolls back. The extended query protocol
 * the cursor uses takes exactly one statement, so the server refuses stacked statements too.
 */
export class PostgresBackend {
  private pool: PgPoolLike | undefined;
  private ownPool: Pool | undefined;

  constructor(
    private readonly url: string | undefined,
    shared: PgPoolLike | undefined,
  ) {
    this.pool = shared;
  }

  async run(sql: string, limits: SqlLimits): Promise<SqlResult> {
    const CursorClass = (await loadDriver<CursorModule>('pg-cursor', 'sqlQuery on PostgreSQL', ['pg', 'pg-cursor'])).default;
    const pool = await this.getPool(limits);
    let client: PoolClient;
    try {
      client = (await pool.connect()) as PoolClient;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ToolCallError('SQL_FAILED', `Could not connect to the database (${message}). It may be down; try again later.`, {
        cause: error,
      });
    }
    let broken = false;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.ceil(limits.timeoutMs)}`);
      // The first query fixes the transaction's snapshot; after it, even a DO block cannot switch
      // the transaction to READ WRITE ("must be called before any query").
      await client.query('SELECT 1');
      const cursor = client.query(new CursorClass<unknown[]>(sql, [], { rowMode: 'array' }));
      try {
        const { rows, result } = await new Promise<{ rows: unknown[][]; result: QueryResult }>((resolve, reject) => {
          cursor.read(limits.maxRows + 1, (err, rows, result) => (err ? reject(err) : resolve({ rows, result })));
        });
        const columns = (result.fields ?? []).map((field) => field.name);
        return limitRows(columns, rows.slice(0, limits.maxRows), rows.length > limits.maxRows, limits.maxRows, limits.maxBytes);
      } finally {
        await cursor.close().catch(() => undefined);
      }
    } catch (error) {
      throw mapPgError(error, limits);
    } finally {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.ownPool?.end();
  }

  private async getPool(limits: SqlLimits): Promise<PgPoolLike> {
    if (this.pool === undefined) {
      const pg = (await loadDriver<PgModule>('pg', 'sqlQuery on PostgreSQL', ['pg', 'pg-cursor'])).default;
      // A server that does not answer fails the call within the time a query may take; idle
      // connections never keep the process alive on their own.
      this.ownPool = new pg.Pool({ connectionString: this.url, max: 4, connectionTimeoutMillis: limits.timeoutMs, allowExitOnIdle: true });
      // An idle client losing its connection must not crash the process. Nor may one the pool is
      // closing: pool.end() resolves before its clients' sockets close, and the pool no longer listens
      // to them then, so a server going down at that moment (57P01) would be an uncaught 'error'.
      // A query's own failure still rejects that query.
      this.ownPool.on('error', () => undefined);
      this.ownPool.on('connect', (client) => client.on('error', () => undefined));
      this.pool = this.ownPool;
    }
    return this.pool;
  }
}

function mapPgError(error: unknown, limits: SqlLimits): ToolCallError {
  if (error instanceof ToolCallError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case '25006': // read_only_sql_transaction
    case '25001': // active_sql_transaction: SET TRANSACTION READ WRITE after the first query
      return new ToolCallError(
        'SQL_READ_ONLY',
        `The database is read-only here: ${message}. Only queries that read (SELECT) are possible; do not retry writes.`,
        { cause: error },
      );
    case '57014': // query_canceled, by statement_timeout
      return new ToolCallError(
        'SQL_TIMEOUT',
        `The query ran longer than ${limits.timeoutMs} ms and was cancelled. Make it cheaper: filter with WHERE, add a LIMIT, aggregate.`,
        { cause: error },
      );
    case '42601':
      if (/multiple commands/i.test(message)) return multipleStatements(error);
      break;
    case '42501':
      return new ToolCallError('SQL_REFUSED', `Permission denied: ${message}. Query only tables this role may read.`, { cause: error });
  }
  return new ToolCallError('SQL_FAILED', `The query failed: ${message}. Fix the query and try again.`, { cause: error });
}

export function multipleStatements(cause?: unknown): ToolCallError {
  return new ToolCallError(
    'SQL_MULTIPLE_STATEMENTS',
    'Only one SQL statement can be run per call. Send each statement in its own call, without semicolons between statements.',
    { cause },
  );
}
