import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TraceFileError } from './errors.js';

/**
 * The one appender of a file in this process: every sink on the same path shares it, so lines from
 * concurrent runs are queued and written whole, one `write` at a time, never interleaved mid-line.
 */
export class AppendWriter {
  private buffered: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly handle: Promise<FileHandle>;
  private failure: TraceFileError | undefined;
  private users = 0;

  private constructor(
    readonly path: string,
    private readonly fsync: boolean,
  ) {
    this.handle = open(path, 'a+').then(async (handle) => {
      // A process killed mid-write leaves a torn last line; start ours on a fresh line so only that one is lost.
      const { size } = await handle.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) this.buffered.unshift('\n');
      }
      return handle;
    });
    this.handle.catch((error: unknown) => this.fail(error));
  }

  /** Adds a complete line (without its newline) to the next write. */
  add(line: string): void {
    this.buffered.push(line + '\n');
  }

  /** Writes what was added, in one append; resolves when it is written (and synced with `fsync`). */
  flush(): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.failure) throw this.failure;
      if (this.buffered.length === 0) return;
      const handle = await this.handle;
      const text = this.buffered.join('');
      this.buffered = [];
      try {
        await handle.appendFile(text);
        if (this.fsync) await handle.datasync();
      } catch (error) {
        throw this.fail(error);
      }
    });
    const done = this.chain;
    // The chain goes on after a failure so later flushes report it instead of hanging.
    this.chain = done.catch(() => undefined);
    return done;
  }

  get error(): TraceFileError | undefined {
    return this.failure;
  }

  private fail(error: unknown): TraceFileError {
    this.failure ??= new TraceFileError(
      'TRACE_WRITE_FAILED',
      `Cannot write the trace file ${this.path}: ${error instanceof Error ? error.message : String(error)}. ` +
        'Check that its folder exists and is writable; the agent runs were not affected.',
      this.path,
      { cause: error },
    );
    return this.failure;
  }

  private static readonly open = new Map<string, AppendWriter>();

  /** The writer of `path`, shared with every other user in this process until the last one releases it. */
  static acquire(path: string, options: { fsync?: boolean } = {}): AppendWriter {
    const key = resolve(path);
    let writer = AppendWriter.open.get(key);
    if (!writer) {
      writer = new AppendWriter(key, options.fsync ?? false);
      AppendWriter.open.set(key, writer);
    }
    writer.users++;
    return writer;
  }

  /** Flushes; the last user also closes the file. */
  async release(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.users--;
      if (this.users === 0) {
        AppendWriter.open.delete(this.path);
        await this.handle.then((handle) => handle.close()).catch(() => undefined);
      }
    }
  }
}
