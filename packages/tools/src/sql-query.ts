import { tool, type Tool } from '@novaloop/core';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod/v4';
import { ToolCallError, ToolConfigError } from './errors.js';
import { checkDriverInstalled } from './load-driver.js';
import { multipleStatements, PostgresBackend, type PgPoolLike, type SqlLimits } from './sql-postgres.js';
import type { SqlResult } from './sql-result.js';
import { SqliteBackend, type LibsqlClientLike } from './sql-sqlite.js';
import { leadingKeyword, splitStatements, stripComments } from './sql-statements.js';

export interface SqlQueryOptions {
  /**
   * `postgres://user:pw@host:5432/db` (needs the `pg` package) or `file:/path/to/db.sqlite` (needs
   * `@libsql/client`; the file must exist). Give either `url` or `client`.
   */
  url?: string;
  /** A `pg.Pool` or a `@libsql/client` Client you own (and close yourself). */
  client?: PgPoolLike | LibsqlClientLike;
  /** Rows returned at most; more are not fetched and the result says it was truncated. Default 100. */
  maxRows?: number;
  /** Bytes of JSON the rows may take; default 64 KiB. */
  maxBytes?: number;
  /** Longest a query may run: PostgreSQL statement_timeout, or the SQLite query process is killed. Default 5000 ms. */
  timeoutMs?: number;
  /** Tool name; default `sql_query`. */
  name?: string;
  /** Tell the model what the database holds, e.g. its tables; it writes better queries. */
  description?: string;
}

export interface SqlQueryTool extends Tool {
  /** Closes the connection pool the tool opened for a `url` (not a `client` you passed). */
  close(): Promise<void>;
}

interface Backend {
  run(sql: string, limits: SqlLimits): Promise<SqlResult>;
  close(): Promise<void>;
}

const PG_PACKAGES = ['pg', 'pg-cursor'];

// SQLite connection state and files outside the database: not something a read-only query needs,
// and ATTACH can read (and create) any file the process can.
const SQLITE_REFUSED = new Set(['ATTACH', 'DETACH', 'VACUUM', 'LOAD']);

/**
 * Read-only SQL for the model, with the database enforcing it: PostgreSQL in a READ ONLY
 * transaction with a statement timeout, SQLite with query_only. One statement per call; results as
 * columns and rows within row and byte limits.
 */
export function sqlQuery(options: SqlQueryOptions): SqlQueryTool {
  const kind = backendKind(options);
  const limits: SqlLimits = {
    maxRows: positiveInteger(options.maxRows, 'maxRows', 100),
    maxBytes: positiveInteger(options.maxBytes, 'maxBytes', 64 * 1024),
    timeoutMs: positiveInteger(options.timeoutMs, 'timeoutMs', 5_000),
  };
  let backend: Backend;
  if (kind === 'postgres') {
    if (options.client === undefined) checkDriverInstalled('pg', 'sqlQuery on PostgreSQL', PG_PACKAGES);
    checkDriverInstalled('pg-cursor', 'sqlQuery on PostgreSQL', PG_PACKAGES);
    backend = new PostgresBackend(options.url, options.client as PgPoolLike | undefined);
  } else {
    if (options.client === undefined) checkDriverInstalled('@libsql/client', 'sqlQuery on SQLite');
    backend = new SqliteBackend(options.url, options.client as LibsqlClientLike | undefined, sqlitePath(options.url));
  }
  const dialect = kind === 'postgres' ? 'PostgreSQL' : 'SQLite';

  const sqlTool = tool({
    name: options.name ?? 'sql_query',
    description:
      options.description ??
      `Run one read-only SQL query (${dialect}) and get the columns and rows (at most ${limits.maxRows} rows). Writes are refused.`,
    input: z.object({ query: z.string().min(1).describe(`One ${dialect} SELECT statement, without a trailing second statement`) }),
    // A backstop only: the database limit fires first; the margin covers starting the SQLite process.
    timeoutMs: limits.timeoutMs + 10_000,
    run: async ({ query }) => {
      const statements = splitStatements(query);
      if (statements.length === 0) throw new ToolCallError('SQL_FAILED', 'The query is empty. Send one SELECT statement.');
      if (statements.length > 1) throw multipleStatements();
      const keyword = leadingKeyword(statements[0] as string);
      if (kind === 'postgres' && keyword === 'COPY') {
        throw new ToolCallError(
          'SQL_REFUSED',
          'COPY is not allowed: it reads and writes files and streams outside the query result. Use SELECT.',
        );
      }
      if (kind === 'sqlite' && SQLITE_REFUSED.has(keyword)) {
        throw new ToolCallError('SQL_REFUSED', `${keyword} is not allowed: only queries on this database can run. Use SELECT.`);
      }
      if (kind === 'sqlite' && keyword === 'PRAGMA' && isPragmaWrite(statements[0] as string)) {
        // Pragmas that write the file fail on query_only anyway; the rest would only change a
        // connection that is closed after the call. Refused so the model does not try.
        throw new ToolCallError(
          'SQL_READ_ONLY',
          'Setting a PRAGMA is not allowed; pragmas can only be read (e.g. PRAGMA table_info(users)).',
        );
      }
      return backend.run(statements[0] as string, limits);
    },
  });
  return Object.freeze({ ...sqlTool, close: () => backend.close() });
}

// Pragmas that take an argument in parentheses only to read something.
const READ_PRAGMAS = new Set(['table_info', 'table_xinfo', 'index_list', 'index_info', 'index_xinfo', 'foreign_key_list', 'table_list']);

function isPragmaWrite(statement: string): boolean {
  const match = /^\s*PRAGMA\s+(?:[\w"]+\.)?"?(\w+)"?\s*(=|\()?/i.exec(stripComments(statement));
  if (!match) return true;
  if (match[2] === '=') return true;
  return match[2] === '(' && !READ_PRAGMAS.has((match[1] ?? '').toLowerCase());
}

function backendKind(options: SqlQueryOptions): 'postgres' | 'sqlite' {
  if (typeof options !== 'object' || options === null) throw new ToolConfigError('sqlQuery(options) needs { url } or { client }.');
  const { url, client } = options;
  if ((url === undefined) === (client === undefined)) {
    throw new ToolConfigError('sqlQuery needs exactly one of url (postgres://... or file:...) and client (a pg.Pool or a libsql Client).');
  }
  if (client !== undefined) {
    if (typeof (client as LibsqlClientLike).transaction === 'function' && typeof (client as LibsqlClientLike).execute === 'function')
      return 'sqlite';
    if (typeof (client as PgPoolLike).connect === 'function') return 'postgres';
    throw new ToolConfigError('sqlQuery({ client }) takes a pg.Pool or a @libsql/client Client.');
  }
  let parsed: URL;
  try {
    parsed = new URL(url as string);
  } catch {
    throw new ToolConfigError(
      `sqlQuery({ url }): ${JSON.stringify(url)} is not a URL. Use postgres://user@host:5432/db or file:/path/to/db.sqlite.`,
    );
  }
  if (parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:') return 'postgres';
  if (parsed.protocol === 'file:') {
    const path = sqlitePath(url as string) as string;
    if (parsed.search !== '')
      throw new ToolConfigError('sqlQuery({ url }): a file: URL takes no query parameters; the tool opens it read-only itself.');
    // libsql would create a missing file, and a new empty database answers every query with "no such table".
    if (!existsSync(path)) throw new ToolConfigError(`sqlQuery({ url }): the SQLite file ${path} does not exist. Check the path.`);
    return 'sqlite';
  }
  throw new ToolConfigError(
    `sqlQuery({ url }): unsupported scheme ${parsed.protocol} in ${JSON.stringify(url)}. Use postgres://, postgresql:// or file:. For a remote libSQL database pass a client.`,
  );
}

/** The file a `file:` URL names, as libsql reads it: `file:///abs`, `file:/abs` or `file:relative/to/cwd`. */
function sqlitePath(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const rest = url.slice('file:'.length).split('?')[0] as string;
  return rest.startsWith('//') ? fileURLToPath(`file:${rest}`) : resolve(decodeURIComponent(rest));
}

function positiveInteger(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0)
    throw new ToolConfigError(`sqlQuery({ ${name} }) must be a positive whole number, got ${String(value)}.`);
  return value;
}
