import { startPostgres, type PostgresServer } from '@novaloop/test-servers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlQuery, ToolCallError, type SqlQueryTool } from '../src/index.js';
import { callError, callOk } from './call-tool.js';

// A real PostgreSQL server (Debian's postgresql, started on loopback for this file). The tool
// connects as `reader`, a role that may read and (deliberately) also write the table: what stops
// the writes below is the READ ONLY transaction, not missing privileges.
let server: PostgresServer;
let admin: pg.Client;
let sql: SqlQueryTool;

beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`
    CREATE TABLE tasks (id serial PRIMARY KEY, service text NOT NULL, status text NOT NULL, started timestamptz NOT NULL DEFAULT '2026-11-28T03:00:00Z');
    INSERT INTO tasks (service, status) VALUES ('payments-api', 'FAILED'), ('payments-api', 'RUNNING'), ('report-worker', 'FAILED');
    CREATE SEQUENCE ids;
    CREATE ROLE reader LOGIN;
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON tasks TO reader;
    GRANT USAGE, SELECT, UPDATE ON SEQUENCE ids, tasks_id_seq TO reader;
    GRANT CREATE ON SCHEMA public TO reader;
  `);
  sql = sqlQuery({ url: server.urlFor('reader'), maxRows: 2, timeoutMs: 500 });
}, 60_000);

afterAll(async () => {
  await sql?.close();
  await admin?.end();
  await server?.stop();
});

async function snapshot() {
  const tasks = (await admin.query('SELECT id, service, status FROM tasks ORDER BY id')).rows;
  const tables = (await admin.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows;
  const seq = (await admin.query('SELECT last_value, is_called FROM ids')).rows;
  return { tasks, tables, seq };
}

describe('sqlQuery on PostgreSQL', () => {
  it('returns columns and rows of a SELECT, with timestamps as ISO strings', async () => {
    const result = await callOk(sql, {
      query:
        "SELECT service, COUNT(*)::int AS failed, MIN(started) AS since FROM tasks WHERE status = 'FAILED' GROUP BY service ORDER BY service",
    });
    expect(result).toEqual({
      columns: ['service', 'failed', 'since'],
      rows: [
        ['payments-api', 1, '2026-11-28T03:00:00.000Z'],
        ['report-worker', 1, '2026-11-28T03:00:00.000Z'],
      ],
      rowCount: 2,
      truncated: false,
    });
  });

  it('fetches at most maxRows + 1 rows and says the result was truncated', async () => {
    const result = await callOk(sql, { query: 'SELECT g FROM generate_series(1, 1000000) AS g' });
    expect(result).toMatchObject({ columns: ['g'], rows: [[1], [2]], rowCount: 2, truncated: true });
    expect(result.truncation).toMatch(/more than 2 rows/);
    const small = sqlQuery({ url: server.urlFor('reader'), maxBytes: 50 });
    try {
      const bytes = await callOk(small, { query: "SELECT repeat('x', 20) AS a FROM generate_series(1, 5)" });
      expect(bytes).toMatchObject({ rowCount: 1, truncated: true });
      expect(bytes.truncation).toMatch(/exceeds 50 bytes/);
    } finally {
      await small.close();
    }
  });

  it('refuses INSERT, UPDATE, DELETE, DDL and write functions with SQL_READ_ONLY from the server', async () => {
    const before = await snapshot();
    for (const query of [
      "INSERT INTO tasks (service, status) VALUES ('x', 'y')",
      "UPDATE tasks SET status = 'OK'",
      'DELETE FROM tasks',
      'TRUNCATE tasks',
      'CREATE TABLE evil (x int)',
      'DROP TABLE tasks',
      'ALTER TABLE tasks ADD COLUMN x int',
      'WITH gone AS (DELETE FROM tasks RETURNING *) SELECT COUNT(*) FROM gone',
      "SELECT nextval('ids')",
      "SELECT setval('tasks_id_seq', 1000)",
      'SET TRANSACTION READ WRITE',
      'DO $$ BEGIN SET TRANSACTION READ WRITE; DELETE FROM tasks; END $$',
      'DO $$ BEGIN DELETE FROM tasks; END $$',
      'SELECT 1 INTO TEMP copied',
    ]) {
      const error = await callError(sql, { query });
      expect(error, query).toBeInstanceOf(ToolCallError);
      expect(error.code, `${query}: ${error.message}`).toBe('SQL_READ_ONLY');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses stacked statements and COPY, changing nothing', async () => {
    const before = await snapshot();
    const cases: Array<[string, string]> = [
      ['SELECT 1; DELETE FROM tasks', 'SQL_MULTIPLE_STATEMENTS'],
      ['COMMIT; DELETE FROM tasks', 'SQL_MULTIPLE_STATEMENTS'],
      ['SELECT $$;$$ AS a; DROP TABLE tasks', 'SQL_MULTIPLE_STATEMENTS'],
      ['COPY tasks TO STDOUT', 'SQL_REFUSED'],
      ["COPY (SELECT 1) TO PROGRAM 'touch /tmp/novaloop-pwned'", 'SQL_REFUSED'],
      ['/* c */ copy tasks from stdin', 'SQL_REFUSED'],
    ];
    for (const [query, code] of cases) {
      const error = await callError(sql, { query });
      expect(error.code, `${query}: ${error.message}`).toBe(code);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a statement ending the transaction itself still writes nothing', async () => {
    // COMMIT as the one statement ends the READ ONLY transaction early; the tool runs nothing after it.
    await callOk(sql, { query: 'COMMIT' }).catch(() => undefined);
    expect((await callError(sql, { query: 'DELETE FROM tasks' })).code).toBe('SQL_READ_ONLY');
    expect((await snapshot()).tasks).toHaveLength(3);
  });

  it('cancels a query running past timeoutMs with SQL_TIMEOUT', async () => {
    const started = Date.now();
    const error = await callError(sql, { query: 'SELECT pg_sleep(5)' });
    expect(error.code).toBe('SQL_TIMEOUT');
    expect(error.message).toMatch(/longer than 500 ms/);
    expect(Date.now() - started).toBeLessThan(4_000);
    // The pooled connection is usable afterwards.
    expect((await callOk(sql, { query: 'SELECT 1 AS one' })).rows).toEqual([[1]]);
  });

  it("leaves file access to the role's privileges: a role that cannot read files gets SQL_REFUSED", async () => {
    const error = await callError(sql, { query: "SELECT pg_read_file('/etc/passwd')" });
    expect(error.code).toBe('SQL_REFUSED');
    expect(error.message).toMatch(/permission denied/);
  });

  it('answers a broken query with SQL_FAILED that carries the server message', async () => {
    const error = await callError(sql, { query: 'SELECT nope FROM tasks' });
    expect(error.code).toBe('SQL_FAILED');
    expect(error.message).toMatch(/column "nope" does not exist/);
  });

  it('answers an unreachable server with SQL_FAILED, not a hang', async () => {
    const down = sqlQuery({ url: 'postgres://reader@127.0.0.1:1/none', timeoutMs: 1_000 });
    try {
      const error = await callError(down, { query: 'SELECT 1' });
      expect(error.code).toBe('SQL_FAILED');
      expect(error.message).toMatch(/ECONNREFUSED|connect/);
    } finally {
      await down.close();
    }
  });

  it('works on a pg.Pool the caller owns', async () => {
    const pool = new pg.Pool({ connectionString: server.urlFor('reader') });
    // As sqlQuery's own pool does: a client still closing when the server stops must not crash the run,
    // and neither may the pool passing on an idle client's error (pg-pool emits it on the pool, which
    // throws without a listener: the 57P01 "terminating connection" seen when the server stops).
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    try {
      const shared = sqlQuery({ client: pool });
      expect((await callOk(shared, { query: 'SELECT COUNT(*)::int AS n FROM tasks' })).rows).toEqual([[3]]);
      expect((await callError(shared, { query: 'DELETE FROM tasks' })).code).toBe('SQL_READ_ONLY');
    } finally {
      await pool.end();
    }
  });
});
