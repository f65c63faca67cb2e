import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';
import { installHint, postgresBinDir } from './system-deps.js';

export interface PostgresServer {
  /** `postgres://novaloop@127.0.0.1:PORT/novaloop`: the superuser, trusted on loopback (tests only). */
  url: string;
  port: number;
  /** Builds a URL for another role or database on this server. */
  urlFor(user: string, database?: string, password?: string): string;
  stop(): Promise<void>;
}

export const POSTGRES_INSTALL_HINT = installHint('PostgreSQL (initdb, postgres)', 'PostgreSQL');

export { postgresBinDir };

/**
 * Starts a throwaway PostgreSQL cluster: initdb into a temporary directory, the server on a free
 * loopback port with its socket in that directory, fsync off. `stop()` shuts it down and deletes
 * everything. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user that
 * Debian's package creates, owning the directory.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(POSTGRES_INSTALL_HINT);
  const dir = mkdtempSync(join(tmpdir(), 'novaloop-pg-'));
  const runAs = process.getuid?.() === 0 ? serviceUser() : undefined;
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const command = (program: string, args: string[]): [string, string[]] =>
    runAs ? [runAs.runuser, ['-u', runAs.name, '--', join(bin, program), ...args]] : [join(bin, program), args];

  const data = join(dir, 'data');
  try {
    const [initdb, initArgs] = command('initdb', [
      '-D',
      data,
      '-U',
      'novaloop',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]);
    execFileSync(initdb, initArgs, { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed: ${stderr || (error as Error).message}`);
  }

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const child = await launch(command, data, dir, port);
      const url = (user: string, database = 'novaloop', password?: string) =>
        `postgres://${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@127.0.0.1:${port}/${database}`;
      try {
        const [createdb, createArgs] = command('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'novaloop', 'novaloop']);
        execFileSync(createdb, createArgs, { stdio: 'pipe' });
      } catch (error) {
        await stop(child, data);
        throw new Error(`createdb failed: ${(error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message}`);
      }
      return {
        url: url('novaloop'),
        port,
        urlFor: url,
        stop: async () => {
          await stop(child, data);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      // Another process may take the port between our probe and postgres binding it.
      if (attempt < 5 && error instanceof Error && /already in use|could not bind/i.test(error.message)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }
}

function serviceUser(): { name: string; uid: number; gid: number; runuser: string } {
  // util-linux's runuser lives in sbin, which a root shell has on PATH but a test runner may not.
  const runuser = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin']
    .map((dir) => join(dir, 'runuser'))
    .find((path) => existsSync(path));
  if (runuser === undefined) {
    throw new Error(
      'PostgreSQL cannot run as root, and runuser (util-linux) was not found to run it as the postgres user. Run the tests as a normal user.',
    );
  }
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { name: 'postgres', uid, gid, runuser };
  } catch {
    throw new Error(
      "PostgreSQL cannot run as root, and there is no postgres user to run it as. Install Debian's postgresql package (it creates that user), or run the tests as a normal user.",
    );
  }
}

function launch(
  command: (program: string, args: string[]) => [string, string[]],
  data: string,
  socketDir: string,
  port: number,
): Promise<ChildProcess> {
  const [program, args] = command('postgres', [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    socketDir,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'shared_buffers=16MB',
    '-c',
    'max_connections=30',
  ]);
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.stdout?.off('data', onData);
        // Keep draining so a chatty server never blocks on a full pipe.
        child.stderr?.resume();
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(POSTGRES_INSTALL_HINT) : error));
    child.once('exit', (code) => reject(new Error(`postgres exited with ${code} before it was ready:\n${output}`)));
  });
}

async function stop(child: ChildProcess, data: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The postmaster's own pid: signalling runuser would not reach it reliably. SIGINT is a fast shutdown.
  const pid = postmasterPid(data);
  if (pid !== undefined) process.kill(pid, 'SIGINT');
  else child.kill('SIGINT');
  const timer = setTimeout(() => {
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
    child.kill('SIGKILL');
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

function postmasterPid(data: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
