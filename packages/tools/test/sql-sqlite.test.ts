import { createClient } from '@libsql/client';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlQuery, ToolCallError, ToolConfigError } from '../src/index.js';
import { callError, callOk } from './call-tool.js';

// A real SQLite file, written here with a normal (writable) libsql client and then queried only
// through the tool; after every refusal the file is read back to prove nothing changed.
const dir = mkdtempSync(join(tmpdir(), 'novaloop-sql-'));
const file = join(dir, 'ops.db');
const url = `file:${file}`;

beforeAll(async () => {
  const writer = createClient({ url });
  await writer.batch([
    'CREATE TABLE tasks (id INTEGER PRIMARY KEY, service TEXT NOT NULL, status TEXT NOT NULL, payload BLOB)',
    "INSERT INTO tasks (service, status, payload) VALUES ('payments-api', 'FAILED', x'0102'), ('payments-api', 'RUNNING', NULL), ('report-worker', 'FAILED', NULL)",
    'PRAGMA user_version = 7',
  ]);
  writer.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function snapshot() {
  const reader = createClient({ url });
  try {
    const tasks = (await reader.execute('SELECT id, service, status FROM tasks ORDER BY id')).rows.map((row) => [...Object.values(row)]);
    const tables = (await reader.execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")).rows.map((row) => row.name);
    const version = (await reader.execute('PRAGMA user_version')).rows[0]?.user_version;
    return { tasks, tables, version };
  } finally {
    reader.close();
  }
}

describe('sqlQuery on SQLite', () => {
  let sql: ReturnType<typeof sqlQuery>;
  beforeAll(() => {
    sql = sqlQuery({ url, maxRows: 2 });
  });

  it('returns columns and rows of a SELECT', async () => {
    const result = await callOk(sql, {
      query: "SELECT service, COUNT(*) AS failed FROM tasks WHERE status = 'FAILED' GROUP BY service ORDER BY service",
    });
    expect(result).toEqual({
      columns: ['service', 'failed'],
      rows: [
        ['payments-api', 1],
        ['report-worker', 1],
      ],
      rowCount: 2,
      truncated: false,
    });
    expect((await callOk(sqlQuery({ url }), { query: 'PRAGMA table_info(tasks)' })).rowCount).toBe(4);
    expect((await callOk(sql, { query: 'SELECT payload FROM tasks WHERE id = 1; -- trailing comment' })).rows).toEqual([
      ['<2 bytes of binary data>'],
    ]);
  });

  it('truncates at maxRows and maxBytes and says so', async () => {
    const rows = await callOk(sql, { query: 'SELECT id FROM tasks ORDER BY id' });
    expect(rows).toMatchObject({ rows: [[1], [2]], rowCount: 2, truncated: true });
    expect(rows.truncation).toMatch(/more than 2 rows/);
    const small = sqlQuery({ url, maxBytes: 60 });
    const bytes = await callOk(small, { query: 'SELECT service, status FROM tasks ORDER BY id' });
    expect(bytes).toMatchObject({ rowCount: 1, truncated: true });
    expect(bytes.truncation).toMatch(/exceeds 60 bytes/);
  });

  it('refuses INSERT, UPDATE, DELETE, DDL (SQLite query_only) and pragma assignments (statement check) with SQL_READ_ONLY', async () => {
    const before = await snapshot();
    for (const query of [
      "INSERT INTO tasks (service, status) VALUES ('x', 'y')",
      "UPDATE tasks SET status = 'OK'",
      'DELETE FROM tasks',
      "REPLACE INTO tasks (id, service, status) VALUES (1, 'x', 'y')",
      'CREATE TABLE evil (x)',
      'DROP TABLE tasks',
      'ALTER TABLE tasks ADD COLUMN x',
      'CREATE INDEX i ON tasks (service)',
      'CREATE TEMP TABLE t (x)',
      "WITH x AS (SELECT 1) INSERT INTO tasks (service, status) SELECT 'a', 'b' FROM x",
      'ANALYZE',
      'PRAGMA user_version = 99',
      'PRAGMA query_only = 0',
      'PRAGMA journal_mode = DELETE',
      'PRAGMA writable_schema(1)',
    ]) {
      const error = await callError(sql, { query });
      expect(error, query).toBeInstanceOf(ToolCallError);
      expect(error.code, `${query}: ${error.message}`).toBe('SQL_READ_ONLY');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses stacked statements, ATTACH, DETACH and VACUUM with a typed error, creating no file', async () => {
    const before = await snapshot();
    const attached = join(dir, 'attached.db');
    const cases: Array<[string, string]> = [
      ['SELECT 1; DELETE FROM tasks', 'SQL_MULTIPLE_STATEMENTS'],
      ['SELECT 1; PRAGMA query_only = 0; DELETE FROM tasks', 'SQL_MULTIPLE_STATEMENTS'],
      ["SELECT ';' AS a; DROP TABLE tasks", 'SQL_MULTIPLE_STATEMENTS'],
      [`ATTACH DATABASE '${attached}' AS other`, 'SQL_REFUSED'],
      [`/* hide */ attach '${attached}' as other`, 'SQL_REFUSED'],
      ['DETACH DATABASE other', 'SQL_REFUSED'],
      [`VACUUM INTO '${join(dir, 'copy.db')}'`, 'SQL_REFUSED'],
    ];
    for (const [query, code] of cases) {
      const error = await callError(sql, { query });
      expect(error.code, `${query}: ${error.message}`).toBe(code);
    }
    expect(existsSync(attached)).toBe(false);
    expect(existsSync(join(dir, 'copy.db'))).toBe(false);
    expect(await snapshot()).toEqual(before);
  });

  it('keeps a pragma flipped by one call from affecting the next (each call has its own connection)', async () => {
    // Even if a pragma write got through, it would only touch that call's connection.
    await callError(sql, { query: 'PRAGMA query_only = 0' });
    const error = await callError(sql, { query: 'DELETE FROM tasks' });
    expect(error.code).toBe('SQL_READ_ONLY');
    expect((await snapshot()).tasks).toHaveLength(3);
  });

  it('on a libsql client the caller owns, refuses writes the same way', async () => {
    const client = createClient({ url });
    try {
      const shared = sqlQuery({ client });
      expect((await callOk(shared, { query: 'SELECT COUNT(*) AS n FROM tasks' })).rows).toEqual([[3]]);
      expect((await callError(shared, { query: 'DELETE FROM tasks' })).code).toBe('SQL_READ_ONLY');
      expect((await callOk(shared, { query: 'SELECT COUNT(*) AS n FROM tasks' })).rows).toEqual([[3]]);
    } finally {
      client.close();
    }
  });

  it('stops a query running past timeoutMs with SQL_TIMEOUT, and the next query works', async () => {
    const slow = sqlQuery({ url, timeoutMs: 300 });
    try {
      const started = Date.now();
      const error = await callError(slow, {
        query: 'WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT COUNT(*) FROM r',
      });
      expect(error.code).toBe('SQL_TIMEOUT');
      expect(error.message).toMatch(/longer than 300 ms/);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect((await callOk(slow, { query: 'SELECT COUNT(*) FROM tasks' })).rows).toEqual([[3]]);
    } finally {
      await slow.close();
    }
  });

  it('answers a broken query with SQL_FAILED that carries the database message', async () => {
    const error = await callError(sql, { query: 'SELECT nope FROM tasks' });
    expect(error.code).toBe('SQL_FAILED');
    expect(error.message).toMatch(/no such column: nope/);
  });

  it('accepts file: URLs in every form libsql reads, relative ones included', async () => {
    for (const form of [`file://${file}`, `file:${file}`]) {
      expect((await callOk(sqlQuery({ url: form }), { query: 'SELECT COUNT(*) FROM tasks' })).rows).toEqual([[3]]);
    }
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect((await callOk(sqlQuery({ url: 'file:ops.db' }), { query: 'SELECT COUNT(*) FROM tasks' })).rows).toEqual([[3]]);
    } finally {
      process.chdir(cwd);
    }
  });

  it('answers with SQL_FAILED, creating nothing, when the file was deleted after the tool was made', async () => {
    const gone = join(dir, 'gone.db');
    const writer = createClient({ url: `file:${gone}` });
    await writer.execute('CREATE TABLE t (x)');
    writer.close();
    const tool = sqlQuery({ url: `file:${gone}` });
    rmSync(gone);
    const error = await callError(tool, { query: 'SELECT 1' });
    expect(error.code).toBe('SQL_FAILED');
    expect(error.message).toMatch(/no longer exists/);
    expect(existsSync(gone)).toBe(false);
  });

  it('rejects a bad url or options when the tool is created', () => {
    expect(() => sqlQuery({ url: 'file:/does/not/exist.db' })).toThrow(ToolConfigError);
    expect(() => sqlQuery({ url: 'file:/does/not/exist.db' })).toThrow(/does not exist/);
    expect(() => sqlQuery({ url: `${url}?mode=rw` })).toThrow(/no query parameters/);
    expect(() => sqlQuery({ url: 'mysql://localhost/db' })).toThrow(/unsupported scheme mysql:/);
    expect(() => sqlQuery({ url: 'not a url' })).toThrow(/is not a URL/);
    expect(() => sqlQuery({})).toThrow(/exactly one of url/);
    expect(() => sqlQuery({ url, maxRows: 0 })).toThrow(ToolConfigError);
  });
});
