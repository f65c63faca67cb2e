import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { MissingDriverError, ToolCallError } from './errors.js';

/** What the child sends back for one query. */
export type SqliteReply =
  { ok: true; columns: string[]; rows: unknown[][]; more: boolean } | { ok: false; code: string | undefined; message: string };

// The child runs libsql, whose queries block the thread they run on until they finish: only a
// process can be stopped in the middle of one (a worker thread cannot leave a native call). One
// statement per message, on a fresh connection with query_only set, inside a transaction, then
// the connection is closed. IPC uses structured clone, so bigint and binary values arrive intact.
const CHILD = `
const { createClient } = require(process.argv[1]);
process.send({ ready: true });
process.on('message', async (m) => {
  let client;
  try {
    client = createClient({ url: m.url });
    await client.execute('PRAGMA query_only = 1');
    await client.execute('BEGIN');
    const set = await client.execute(m.sql);
    const columns = Array.from(set.columns);
    const rows = set.rows.slice(0, m.maxRows + 1).map((row) => columns.map((_, i) => row[i]));
    process.send({ ok: true, columns, rows: rows.slice(0, m.maxRows), more: rows.length > m.maxRows });
  } catch (e) {
    process.send({ ok: false, code: e && typeof e.code === 'string' ? e.code : undefined, message: String((e && e.message) || e) });
  } finally {
    try { if (client) client.close(); } catch {}
  }
});
`;

/**
 * A child process running SQLite queries one at a time, killed and replaced when a query runs
 * past its time. Started on first use; never keeps the parent process alive on its own.
 */
export class SqliteProcess {
  private child: Promise<ChildProcess> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private clientPath: string | undefined;

  query(url: string, sql: string, maxRows: number, timeoutMs: number): Promise<SqliteReply> {
    const run = this.queue.then(
      () => this.send(url, sql, maxRows, timeoutMs),
      () => this.send(url, sql, maxRows, timeoutMs),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    void this.child?.then((child) => child.kill('SIGKILL')).catch(() => undefined);
    this.child = undefined;
  }

  private async send(url: string, sql: string, maxRows: number, timeoutMs: number): Promise<SqliteReply> {
    // The time limit starts once the child is up: starting Node and loading libsql is not the query's time.
    const child = await this.start();
    child.channel?.ref();
    return new Promise<SqliteReply>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.channel?.unref();
      };
      const onMessage = (reply: SqliteReply) => {
        done();
        resolve(reply);
      };
      const onExit = (code: number | null, signal: string | null) => {
        done();
        this.child = undefined;
        reject(
          new ToolCallError('SQL_FAILED', `The SQLite process stopped (${signal ?? `exit code ${code}`}) during the query. Try again.`),
        );
      };
      const timer = setTimeout(() => {
        done();
        this.close();
        reject(
          new ToolCallError(
            'SQL_TIMEOUT',
            `The query ran longer than ${timeoutMs} ms and was stopped. Make it cheaper: filter with WHERE, add a LIMIT, aggregate.`,
          ),
        );
      }, timeoutMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ url, sql, maxRows });
    });
  }

  private start(): Promise<ChildProcess> {
    if (this.child !== undefined) return this.child;
    if (this.clientPath === undefined) {
      try {
        this.clientPath = createRequire(import.meta.url).resolve('@libsql/client');
      } catch (error) {
        throw new MissingDriverError('@libsql/client', 'sqlQuery on SQLite', { cause: error });
      }
    }
    const child = spawn(process.execPath, ['-e', CHILD, this.clientPath], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const starting = new Promise<ChildProcess>((resolve, reject) => {
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const failed = (why: string) => {
        this.child = undefined;
        reject(new ToolCallError('SQL_FAILED', `The SQLite process could not start (${why}). Try again.`));
      };
      child.once('error', (error) => failed(error.message));
      child.once('exit', (code) => failed(stderr.trim() || `exit code ${code}`));
      child.once('message', () => {
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        child.on('error', () => undefined);
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        child.channel?.unref();
        resolve(child);
      });
    });
    child.unref();
    this.child = starting;
    return starting;
  }
}
